#!/bin/sh
# Octofleet: installs the SSH keys, turns SSH password logins off and adds a unit that reports the
# first boot. Usage: sh late-command.sh TARGET_ROOT
set -eu
root=${1:?usage: late-command.sh TARGET_ROOT}
user='octofleet'
callback='http://10.0.2.2:8080/cb/42.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

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
# start condition, so it runs until both reports got through and never again after that. It is ordered
# after multi-user.target, so an unreachable boot server delays nothing (logins, services) while it
# retries, and the retries are bounded (10 × 15 s): the next boot tries again.
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
    [ "$tries" -lt 10 ] || return 1
    sleep 15
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
After=network-online.target multi-user.target
ConditionPathExists=/var/lib/octofleet/callback-url

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/octofleet-first-boot /var/lib/octofleet/callback-url
TimeoutStartSec=15min

[Install]
WantedBy=multi-user.target
UNIT
ln -sf ../octofleet-first-boot.service \
  "$root/etc/systemd/system/multi-user.target.wants/octofleet-first-boot.service"

# Boot order (docs/linux.md "Boot order"): grub-installer made the new `debian` entry the first UEFI boot
# option. Put the entry this installation was network-booted from (BootCurrent) first again, as curtin's
# reorder_uefi does for Ubuntu, so a later redeploy still PXE-boots: Octofleet's local-boot script then
# chains straight to the disk. Best effort: a firmware that refuses leaves the disk first, and a redeploy
# then needs the BMC's one-time PXE boot.
if [ -d /sys/firmware/efi ] && command -v in-target >/dev/null 2>&1; then
  in-target sh -c 'current=$(efibootmgr | sed -n "s/^BootCurrent: //p")
    order=$(efibootmgr | sed -n "s/^BootOrder: //p")
    [ -n "$current" ] && [ -n "$order" ] || exit 1
    rest=$(printf "%s\n" "$order" | tr "," "\n" | grep -v -x "$current" | paste -s -d ",")
    efibootmgr -q -o "$current${rest:+,$rest}"' ||
    echo "late-command.sh: could not put the network boot entry first; redeploys need a one-time PXE boot" >&2
fi
