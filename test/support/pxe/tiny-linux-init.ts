/** Prefix of every console line the tiny Linux prints, for `waitForConsole`. */
export const TINY_LINUX_TAG = 'octofleet-tinylinux:';

/** The stages the tiny Linux reports, in order, as `status=<stage>&message=…` form posts to `cb=`. */
export const TINY_LINUX_STAGES = ['installing', 'configuring', 'done'] as const;

/**
 * /init of the tiny test initrd (busybox sh, PID 1). Stands in for an installer: brings up the
 * e1000 NIC, takes a DHCP lease, reports each stage to the `cb=<url>` kernel argument with busybox
 * wget form posts (as our real installers do), then powers off so QEMU (`-no-reboot`) exits.
 * `modules` are the .ko file names under /lib/modules, in load order.
 */
export function tinyLinuxInit(modules: string[], opts: { secureBoot?: boolean } = {}) {
  const insmods = modules.map((ko) => `insmod /lib/modules/${ko} || say "WARNING: insmod ${ko} failed"`);
  // With secureBoot, the first callback also says whether UEFI Secure Boot was on (the SecureBoot EFI
  // variable: 4 bytes of attributes, then one byte of data).
  const posts = TINY_LINUX_STAGES.map((stage) =>
    opts.secureBoot && stage === 'installing'
      ? `post ${stage} "tiny+linux+stage+${stage}&secureBoot=$SB"`
      : `post ${stage} 'tiny+linux+stage+${stage}'`,
  );
  const secureBoot = opts.secureBoot
    ? `mount -t efivarfs efivarfs /sys/firmware/efi/efivars || say "WARNING: no efivarfs"
SB=$(dd if=/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c bs=1 skip=4 count=1 2>/dev/null | od -An -t u1 | tr -d ' ')
[ -n "$SB" ] || SB=0
say "SECUREBOOT=$SB"
`
    : '';
  return `#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

say() { echo "${TINY_LINUX_TAG} $*"; }
finish() { say "powering off"; sync; poweroff -f; sleep 30; }

say "started"
${insmods.join('\n')}
${secureBoot}n=0
while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
ip link set lo up
ip link set eth0 up || { say "ERROR: no eth0"; finish; }
# A DHCP discover sent before the link is up is lost and costs a udhcpc retry interval.
n=0
while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
udhcpc -i eth0 -q -n -t 10 -T 2 -s /etc/udhcpc.script || { say "ERROR: no DHCP lease"; finish; }

cb=
for arg in $(cat /proc/cmdline); do
  case "$arg" in cb=*) cb="\${arg#cb=}" ;; esac
done
[ -n "$cb" ] || { say "ERROR: no cb=<url> on the kernel command line"; finish; }
say "callback url $cb"

# disksel=<url>: run the disk selector the Linux templates use (templates/partials/linux/disk-select.hbs)
# as an installer would, and stop, like the installer, when it refuses.
disksel=
for arg in $(cat /proc/cmdline); do
  case "$arg" in disksel=*) disksel="\${arg#disksel=}" ;; esac
done
if [ -n "$disksel" ]; then
  wget -q -O /tmp/disk-select.sh "$disksel" || { say "ERROR: could not fetch $disksel"; finish; }
  if disk=$(sh /tmp/disk-select.sh); then
    say "disk selected $disk"
  else
    say "disk selection refused"
    finish
  fi
fi

post() {
  n=1
  while [ $n -le 5 ]; do
    if wget -q -O- --post-data "status=$1&message=$2" "$cb" >/dev/null; then
      say "callback status=$1 sent"
      return 0
    fi
    say "callback status=$1 failed (attempt $n)"
    sleep 2
    n=$((n + 1))
  done
  say "ERROR: callback status=$1 not delivered"
  return 1
}

${posts.join('\n')}
say "all callbacks sent"
finish
`;
}

/** udhcpc's lease hook: busybox ships none in an initrd, and without one the lease is never applied. */
export const UDHCPC_SCRIPT = `#!/bin/sh
case "$1" in
  deconfig)
    ip addr flush dev "$interface"
    ip link set "$interface" up
    ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/\${mask:-24}" dev "$interface"
    for r in $router; do ip route add default via "$r" dev "$interface"; break; done
    : > /etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done
    echo "${TINY_LINUX_TAG} lease $ip/$mask via $router"
    ;;
esac
exit 0
`;
