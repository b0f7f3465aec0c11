# Sourced by the set-up scripts: install, with apt, the Debian packages of whichever
# programs are missing, each checked on its own (a machine can have Chromium but not its
# driver, or PostgreSQL's client but not its server).
# Usage: need PROGRAM PACKAGE [PROGRAM PACKAGE …]
#   PROGRAM is a command looked up on PATH, an absolute path, or a glob of paths (any
#   match will do, e.g. /usr/lib/postgresql/*/bin/postgres).
need() {
  local missing=() program package found
  while [ $# -ge 2 ]; do
    program=$1; package=$2; shift 2
    found=0
    case $program in
      /*) for f in $program; do [ -x "$f" ] && found=1 && break; done ;;
      *) command -v "$program" >/dev/null 2>&1 && found=1 ;;
    esac
    if [ $found = 0 ] && [[ " ${missing[*]} " != *" $package "* ]]; then
      missing+=("$package")
    fi
  done
  [ ${#missing[@]} = 0 ] && return 0
  echo "Installing ${missing[*]}…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}
