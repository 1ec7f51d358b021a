#!/bin/sh
# Stands in for ipmitool in tests: records the command line it was given (what `ps` would show) and
# whether IPMI_PASSWORD was set, then runs the real ipmitool with the same arguments.
printf '%s\n' "$*" >> "$IPMITOOL_RECORD"
[ -n "$IPMI_PASSWORD" ] && echo "env:IPMI_PASSWORD set" >> "$IPMITOOL_RECORD"
exec ipmitool "$@"
