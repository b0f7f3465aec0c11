from setuptools import find_namespace_packages, setup

setup(
    name="ckanext-vgsamverkan",
    version="0.1.0",
    description=(
        "The regional open-data collaboration of Västra Götaland inside its "
        "CKAN portal: participation, publisher rights, connections, expert "
        "call-offs and the shared platform fee."
    ),
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    install_requires=["luqum>=1.0,<2", "Flask-Limiter>=3.5,<4"],
    packages=find_namespace_packages(include=["ckanext.*"]),
    include_package_data=False,
    package_data={
        "ckanext.vgsamverkan": [
            "config_declaration.yaml",
            "templates/*.html",
            "templates/*/*.html",
            "templates/*/*/*.html",
            "templates/*/*/*.txt",
            "i18n/*/LC_MESSAGES/*.po",
            "i18n/*/LC_MESSAGES/*.mo",
            "i18n/*.pot",
            "data/*.csv",
            "data/*.md",
            "public/*/*",
            "migration/vgsamverkan/alembic.ini",
            "migration/vgsamverkan/env.py",
            "migration/vgsamverkan/script.py.mako",
            "migration/vgsamverkan/versions/*.py",
        ]
    },
    zip_safe=False,
    entry_points={
        "ckan.plugins": [
            "vgsamverkan = ckanext.vgsamverkan.plugin:VgSamverkanPlugin",
            "vgsamverkan_pgsearch = ckanext.vgsamverkan.pgsearch.plugin:PgSearchPlugin",
        ],
        "ckan.rdf.profiles": [
            "vgsamverkan_dcat_ap_se = ckanext.vgsamverkan.dcat.profile:DcatApSeProfile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
    },
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
            ("**/templates/**.txt", "ckan", None),
        ],
    },
)
