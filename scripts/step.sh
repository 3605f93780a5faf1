#!/usr/bin/env bash
# One French line per set-up step, then its duration: step.sh "Libellé" command args...
# The command's own output goes to var/setup.log (shown on failure) so the user sees the step
# names and knows the command is alive.
set -u
label=$1; shift
mkdir -p var
log=var/setup.log
start=$(date +%s)
printf '→ %s…\n' "$label"
printf '\n== %s (%s)\n' "$label" "$(date -u +%FT%TZ)" >>"$log"
"$@" >>"$log" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
if [ $rc -eq 0 ]; then
  printf '✓ %s : %s s\n' "$label" "$took"
else
  printf '✗ %s : échec après %s s (code %s). Fin du journal %s :\n' "$label" "$took" "$rc" "$log"
  tail -n 25 "$log"
fi
exit $rc
