#!/bin/sh
# Octofleet: installs the SSH keys, turns SSH password logins off and adds a unit that reports the
# first boot. Usage: sh late-command.sh TARGET_ROOT
set -eu
root=${1:?usage: late-command.sh TARGET_ROOT}
user='ops'
callback='http://10.0.2.2:8080/cb/7.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

fail() {
  echo "late-command.sh: $*" >&2
  exit 1
}

# uid:gid:home from the target's passwd (exact match on the name, no regular expression).
[ -r "$root/etc/passwd" ] || fail "$root/etc/passwd is missing"
entry=$(awk -F: -v name="$user" '$1 == name { print $3 ":" $4 ":" $6; exit }' "$root/etc/passwd")
[ -n "$entry" ] || fail "no user $user in $root/etc/passwd"
ids=${entry%:*}
home=${entry##*:}

mkdir -p "$root$home/.ssh"
keys="$root$home/.ssh/authorized_keys"
: >"$keys"
chmod 0700 "$root$home/.ssh"
chmod 0600 "$keys"
chown -R "$ids" "$root$home/.ssh"

# sshd reads sshd_config.d/*.conf first and keeps the first value it sees: a low number wins.
mkdir -p "$root/etc/ssh/sshd_config.d"
printf '%s\n' '# Octofleet: SSH keys only.' 'PasswordAuthentication no' 'KbdInteractiveAuthentication no' \
  >"$root/etc/ssh/sshd_config.d/10-octofleet.conf"

# First boot: a oneshot unit posts first_boot and done, then deletes the callback file, which is its
# start condition, so it runs until both reports got through and never again after that.
mkdir -p "$root/var/lib/octofleet" "$root/usr/local/sbin" "$root/etc/systemd/system/multi-user.target.wants"
printf '%s\n' "$callback" >"$root/var/lib/octofleet/callback-url"
chmod 0600 "$root/var/lib/octofleet/callback-url"

cat >"$root/usr/local/sbin/octofleet-first-boot" <<'SCRIPT'
#!/bin/sh
# Reports the first boot to Octofleet. Usage: octofleet-first-boot CALLBACK_URL_FILE
set -u
file=$1
callback=$(cat "$file")
report() {
  tries=0
  until wget -q -O /dev/null --post-data "$1" "$callback"; do
    tries=$((tries + 1))
    [ "$tries" -lt 30 ] || return 1
    sleep 10
  done
}
report 'status=first_boot&progress=95&message=Debian+first+boot' || exit 1
report 'status=done&progress=100&message=Debian+is+up' || exit 1
rm -f "$file"
SCRIPT
chmod 0755 "$root/usr/local/sbin/octofleet-first-boot"

cat >"$root/etc/systemd/system/octofleet-first-boot.service" <<'UNIT'
[Unit]
Description=Report the first boot to Octofleet
Wants=network-online.target
After=network-online.target
ConditionPathExists=/var/lib/octofleet/callback-url

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/octofleet-first-boot /var/lib/octofleet/callback-url

[Install]
WantedBy=multi-user.target
UNIT
ln -sf ../octofleet-first-boot.service \
  "$root/etc/systemd/system/multi-user.target.wants/octofleet-first-boot.service"
