#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (QEMU + iPXE + OVMF for the real PXE clients,
# busybox/cpio for the tiny test initrd, dnsmasq/iproute2 for the proxy-DHCP tests, xmllint for
# answer-file validation, ipmi_sim + ipmitool for the IPMI power tests, chromium for the dashboard's
# browser tests). Idempotent: a fast no-op when everything is already installed.
# Usage (as root, Debian 12): .ci/install-packages.sh
set -euo pipefail

# The one list of packages: `npm test` reads this array too (test/support/tools/debian-packages.ts),
# installs what is missing when it runs as root, and names it when a suite has to skip. One per line.
packages=(
  qemu-system-x86 # qemu-system-x86_64 (TCG: /dev/kvm is not usable in CI)
  ipxe-qemu       # the e1000 option ROM, which is iPXE, for BIOS and UEFI
  ovmf            # UEFI firmware (/usr/share/ovmf/OVMF.fd; OVMF_CODE_4M.secboot.fd + OVMF_VARS_4M.ms.fd)
  busybox-static  # userland of the tiny test initrd
  cpio            # builds that initrd
  ipxe            # undionly.kpxe / ipxe.efi / snponly.efi served over TFTP by dnsmasq
  dnsmasq-base    # proxy-DHCP + TFTP without the system-wide service of the full package
  iproute2        # network namespaces, veth, bridges, tap devices
  curl            # the Ubuntu report commands run for real in the template tests
  libxml2-utils   # xmllint
  openipmi        # ipmi_sim: a real IPMI-over-LAN BMC whose power switch is a QEMU VM (power tests)
  ipmitool        # the IPMI power driver's client (-I lanplus), also what operators install
  chromium        # the dashboard's browser tests (driven by playwright-core, which downloads no browser)
  shim-signed     # Microsoft-signed shimx64.efi of the Secure Boot chain (pxe:config, Secure Boot e2e)
  grub-efi-amd64-signed # Debian-signed GRUB: the local disk's loader in the Secure Boot e2e
  sbsigntool      # sbattach --remove: the unsigned kernel the Secure Boot e2e expects to be refused
  bsdutils        # script(1): npm start in a pseudo-terminal (test/e2e/terminal-session.test.ts)
  grub-efi-amd64-bin # the UEFI local-boot GRUB (grub-mkstandalone), and the test disk's EFI loader
  grub-pc-bin     # the local-boot test disk's BIOS loader (grub-mkrescue)
  xorriso         # grub-mkrescue builds the test disk image with it
  mtools          # grub-mkrescue writes the image's EFI partition with it
)

missing=()
for pkg in "${packages[@]}"; do
  # dpkg -s also succeeds for removed-but-configured packages; require "install ok installed".
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-packages: all ${#packages[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-packages: missing ${missing[*]}; run this script as root" >&2
  exit 1
fi

echo "install-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-packages: done"
