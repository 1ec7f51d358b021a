#!/bin/sh
# Octofleet disk selector: prints the one disk that rule 'smallest:20' names, as /dev/<name>, and exits 0.
# When no disk or more than one matches, it reports `failed` with every disk it saw (model, size, serial)
# and exits 1: the installer stops instead of guessing. Usage: sh disk-select.sh
set -u
kind='smallest'
value=''
min_gb='20'
max_gb='0'
rule='smallest:20'
callback='http://10.0.2.2:8080/cb/42.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

lower() { printf '%s' "$1" | tr 'A-Z' 'a-z'; }
# Leading and trailing blanks go; inner runs of blanks become one space (SCSI models are space-padded).
tidy() { printf '%s' "$1" | tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'; }

# One property of a disk from udev's database (d-i and the Ubuntu installer run udev; a bare initrd may not).
udev_prop() {
  data=/run/udev/data/b$(cat "/sys/block/$1/dev" 2>/dev/null)
  [ -r "$data" ] && sed -n "s/^E:$2=//p" "$data" | head -n 1
}

disk_serial() {
  s=$(udev_prop "$1" ID_SERIAL_SHORT)
  [ -n "$s" ] || s=$(cat "/sys/block/$1/serial" 2>/dev/null)        # virtio-blk
  [ -n "$s" ] || s=$(cat "/sys/block/$1/device/serial" 2>/dev/null) # NVMe
  # SCSI/SATA without udev: VPD page 0x80 is 4 header bytes, then the serial.
  [ -n "$s" ] || s=$(tail -c +5 "/sys/block/$1/device/vpd_pg80" 2>/dev/null | tr -cd 'A-Za-z0-9._ -')
  tidy "$s"
}

# Hex digits only, lower case: `0x5000c500a1b2c3d4`, `naa.5000c500…` and udev's ID_WWN all compare equal.
disk_wwn() {
  w=$(udev_prop "$1" ID_WWN)
  [ -n "$w" ] || w=$(cat "/sys/block/$1/wwid" "/sys/block/$1/device/wwid" 2>/dev/null | head -n 1)
  lower "$w" | sed 's/^0x//; s/^[a-z0-9]*\.//' | tr -cd '0-9a-f'
}

disk_model() {
  m=$(cat "/sys/block/$1/device/model" 2>/dev/null)
  [ -n "$m" ] || m=$(udev_prop "$1" ID_MODEL | tr '_' ' ')
  tidy "${m:-unknown model}"
}

# Removable media and anything on USB (sticks, card readers, most BMC virtual media) are never candidates
# of a size or model rule.
is_removable() {
  [ "$(cat "/sys/block/$1/removable" 2>/dev/null)" = 1 ] && return 0
  case "$(readlink -f "/sys/block/$1" 2>/dev/null)" in */usb*) return 0 ;; esac
  return 1
}

seen=''
matches=''
count=0
best_bytes=''
for path in /sys/block/*; do
  name=${path##*/}
  case "$name" in loop* | ram* | sr* | fd* | dm-* | md* | zram* | nbd* | mtdblock* | '*') continue ;; esac
  sectors=$(cat "$path/size" 2>/dev/null || echo 0)
  [ "$sectors" -gt 0 ] 2>/dev/null || continue
  bytes=$((sectors * 512))
  gb=$((bytes / 1000000000))
  serial=$(disk_serial "$name")
  model=$(disk_model "$name")
  removable=''
  is_removable "$name" && removable=', removable/USB'
  seen="$seen${seen:+; }$name: $model, $gb GB, serial ${serial:-none}$removable"
  hit=0
  case "$kind" in
    serial) [ -n "$serial" ] && [ "$(lower "$serial")" = "$(lower "$value")" ] && hit=1 ;;
    wwn) [ "$(disk_wwn "$name")" = "$value" ] && hit=1 ;;
    model)
      if [ -z "$removable" ]; then
        case "$(lower "$model")" in *"$(lower "$value")"*) hit=1 ;; esac
      fi
      ;;
    size) [ -z "$removable" ] && [ "$gb" -ge "$min_gb" ] && { [ "$max_gb" -eq 0 ] || [ "$gb" -le "$max_gb" ]; } && hit=1 ;;
    smallest)
      # Keep every disk of the smallest eligible size seen so far: two of that size are ambiguous.
      if [ -z "$removable" ] && [ "$gb" -ge "$min_gb" ]; then
        if [ -z "$best_bytes" ] || [ "$bytes" -lt "$best_bytes" ]; then
          best_bytes=$bytes
          matches=''
          count=0
        fi
        [ "$bytes" -eq "$best_bytes" ] && hit=1
      fi
      ;;
  esac
  if [ "$hit" = 1 ]; then
    matches="$matches${matches:+ }$name"
    count=$((count + 1))
    chosen="$name: $model, $gb GB, serial ${serial:-none}"
  fi
done

# A form value: everything but letters and digits percent-encoded (busybox wget does not encode).
urlencode() {
  printf '%s' "$1" | od -An -v -tx1 | tr -s ' \n' '  ' | {
    out=''
    for byte in $(cat); do
      case "$byte" in
        3[0-9] | 4[1-9a-f] | 5[0-9a] | 6[1-9a-f] | 7[0-9a]) out="$out$(printf "\\$(printf '%03o' "0x$byte")")" ;;
        *) out="$out%$byte" ;;
      esac
    done
    printf '%s' "$out"
  }
}

report() {
  body="status=$1&message=$(urlencode "$2")"
  if command -v wget >/dev/null 2>&1; then
    wget -q -O /dev/null --post-data "$body" "$callback"
  else
    curl -fsS -o /dev/null --retry 5 --retry-connrefused --max-time 30 --data "$body" "$callback"
  fi || echo "disk-select.sh: could not report $1" >&2
}

if [ "$count" -eq 1 ]; then
  echo "disk-select.sh: rule $rule chose /dev/$matches ($chosen)" >&2
  report disk_selected "rule $rule chose /dev/$chosen"
  echo "/dev/$matches"
  exit 0
fi
if [ "$count" -eq 0 ]; then
  why="no disk matches disk rule $rule"
else
  why="$count disks match disk rule $rule ($matches), refusing to guess"
fi
echo "disk-select.sh: $why; disks seen: ${seen:-none}" >&2
report failed "$why; disks seen: ${seen:-none}. Set a disk rule that names one disk (disk:serial:...)"
exit 1
