#!/usr/bin/env bash
# make run: provision everything, then serve the portal with demo data on
# http://127.0.0.1:5000. Idempotent: run again, it reuses what exists.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
ckan="$venv/bin/ckan -c ckan.ini"
PORT=${PORT:-5000}

bash scripts/services.sh
bash scripts/venv.sh "$venv" requirements/ckan-2.11.txt
bash scripts/db.sh vgsamverkan_dev
mkdir -p var/storage var/mail

if [ ! -f ckan.ini ]; then
  echo "Writing ckan.ini…"
  $venv/bin/ckan generate config ckan.ini >/dev/null
fi
# A Swedish portal out of the box (issue 19): Swedish first, days and times in Swedish
# time, no gravatar images (nothing fetched from outside), a title and an about text,
# and self-registration, so that a new municipal employee can get an account (README:
# "Accounts" for a site that turns it off).
ABOUT="Dataportal Väst samlar öppna data från kommuner, kommunala bolag och regionala förvaltningar i Västra Götaland. Organisationerna publicerar här i en regional samverkan: en regional samordnare godkänner deltagare och publicerare, hjälper till med tekniska anslutningar och expertstöd, och fördelar plattformens månadskostnad mellan kommunerna efter antal invånare. Läs mer och ansök om att delta på [Regional samverkan](/samverkan)."
# The settings make run manages are applied every time, so an older ckan.ini follows.
# Files as resources (issue 39): `ckan generate config` writes `ckan.uploads_enabled =`
# empty, which is off even with a storage path, so the resource form offered links only.
$venv/bin/ckan config-tool ckan.ini \
    "sqlalchemy.url = postgresql://ckan_default:pass@127.0.0.1/vgsamverkan_dev" \
    "ckan.site_url = http://127.0.0.1:$PORT" \
    "ckan.site_title = Dataportal Väst" \
    "ckan.site_description = Öppna data från Västra Götaland" \
    "ckan.site_about = $ABOUT" \
    "ckan.site_intro_text = Öppna data från kommuner, kommunala bolag och regionala förvaltningar i Västra Götaland, publicerade i regional samverkan." \
    "ckan.display_timezone = Europe/Stockholm" \
    "ckan.gravatar_default = disabled" \
    "ckan.auth.create_user_via_web = true" \
    "ckan.redis.url = redis://127.0.0.1:6379/0" \
    "solr_url = http://127.0.0.1:8983/solr/unused-with-vgsamverkan_pgsearch" \
    "ckan.plugins = activity vgsamverkan vgsamverkan_pgsearch dcat" \
    "ckanext.dcat.rdf.profiles = vgsamverkan_dcat_ap_se" \
    "ckanext.vgsamverkan.catalog_publisher_name = Regionen i demon (samordnare)" \
    "ckanext.vgsamverkan.catalog_publisher_org_number = 232999-0010" \
    "ckan.locale_default = sv" \
    "ckan.locales_offered = sv en" \
    "ckan.storage_path = $(pwd)/var/storage" \
    "ckan.uploads_enabled = true" \
    "ckan.csrf_protection.ignore_extensions = false" \
    "smtp.server = 127.0.0.1:8025" \
    "smtp.mail_from = portal@example.org" \
    "ckanext.vgsamverkan.coordinators = samordnare" \
    "ckanext.vgsamverkan.coordinator_email = samordnare@example.org" \
    "ckanext.vgsamverkan.contact_name = Regional samordnare (demo)" \
    "ckanext.vgsamverkan.contact_phone = 010-000 00 00" \
    "ckanext.vgsamverkan.invoice.seller_name = Regionen i demon (samordnare)" \
    "ckanext.vgsamverkan.invoice.seller_org_number = 232999-0010" \
    "ckanext.vgsamverkan.invoice.seller_vat_number = SE232999001001" \
    "ckanext.vgsamverkan.invoice.seller_street = Exempelgatan 1" \
    "ckanext.vgsamverkan.invoice.seller_postcode = 411 01" \
    "ckanext.vgsamverkan.invoice.seller_city = Exempelstad" \
    "ckanext.vgsamverkan.invoice.seller_bankgiro = 5050-1055" \
    "ckanext.vgsamverkan.invoice.seller_contact_email = faktura@example.org" >/dev/null

$ckan db init >/dev/null
if ! $ckan user show admin 2>/dev/null | grep -q "name=admin\|'name': 'admin'\|admin"; then
  $ckan user add admin email=admin@example.org password=demo-samverkan-2026 fullname="Demo Sysadmin" >/dev/null 2>&1 || true
fi
echo y | $ckan sysadmin add admin >/dev/null 2>&1 || true
$ckan vgsamverkan demo seed
# Index every dataset in PostgreSQL (cheap for a demo; catches an index from an older run).
$ckan search-index rebuild >/dev/null 2>&1

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

# A local mail sink: every message the portal sends is written to var/mail/.
$venv/bin/python scripts/mailsink.py --port 8025 --dir var/mail > var/mailsink.log 2>&1 &
pids+=($!)
# CKAN's own job worker sends the e-mail (the default queue), as on a standard deployment.
$ckan jobs worker > var/worker.log 2>&1 &
pids+=($!)
# What deploy/'s timers do on a server: mail flush every few minutes, the daily job once
# a day (here: now, and then every 5 minutes and every 24 hours while make run runs).
( while sleep 300; do $ckan vgsamverkan mail flush >> var/timers.log 2>&1; done ) &
pids+=($!)
( while true; do $ckan vgsamverkan expire >> var/timers.log 2>&1; sleep 86400; done ) &
pids+=($!)

cat <<MSG

  Dataportal Väst with ckanext-vgsamverkan: http://127.0.0.1:$PORT/samverkan
  Coordinator's workplace:                  http://127.0.0.1:$PORT/ckan-admin/samverkan

  Demo log-ins (password for all: demo-samverkan-2026)
    samordnare    the regional coordinator (not a sysadmin)
    admin         sysadmin
    anna-admin    admin of Exempelstads kommun (approved participant)
    bertil-bolag  admin of Exempelstads Energi AB (application pending)
    cecilia-ny    applied for the new organisation Sjöviks kommun (pending)
    david-besok   a logged-in user with nothing yet: try applying

  New users register at http://127.0.0.1:$PORT/user/register (self-registration is on here).
  E-mail is not sent out: every message lands in var/mail/ (ckan jobs worker logs to var/worker.log).
  Search is served from PostgreSQL (plugin vgsamverkan_pgsearch; no Solr here).

MSG
$ckan run -H 127.0.0.1 -p "$PORT" -r
