#!/usr/bin/env bash
# The archive benchmark (docs/benchmarks.md): `cloud-backup archive run` of one 1 GiB backup
# from the emulator into a local directory and into an S3 server (moto on loopback), against
# `rclone copyurl` of the same link to the same destinations; wall time and peak memory
# (/usr/bin/time). Needs: a release build, rclone, moto_server (pip install "moto[server]").
#   cargo build --release -p backup-cli && scripts/bench-archive.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/cloud-backup
rounds=${1:-3}
size=$((1 << 30))
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m moto.server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto=$!
"$bin" emulator --backup-size "$size" >"$work/emu.json" 2>/dev/null &
emu=$!
trap 'kill $moto $emu 2>/dev/null; rm -rf "$work"' EXIT
sleep 3
s3="http://127.0.0.1:$port"
eval "$(python3 -c "import json;d=json.load(open('$work/emu.json'));print(' '.join(f'export {k}={v}' for k,v in d['env'].items()))")"
endpoint=$(python3 -c "import json;print(json.load(open('$work/emu.json'))['endpoint'])")
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
source_toml='[[source]]
cloud = "huawei"
service = "rds"
instance = "43e4feaab48f11e89039fa163ebaa7e4in01"
region = "cn-north-4"'
link() {
  "$bin" --endpoint "$endpoint" --allow-http --output json --region cn-north-4 huawei \
    rds-show-backup-download-link --backup-id c0c9f155c7b7423a9d30f0175998b63bbr01 |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["files"][0]["download_link"])'
}
measure() { # name, command...
  local name=$1; shift
  if ! /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err"; then
    printf '| %-34s | failed: %s |\n' "$name" "$(grep -m1 -i error "$work/err" | cut -c1-100)"
    return
  fi
  read -r secs kb <"$work/time"
  printf '| %-34s | %6.2f s | %7.1f MiB/s | %5d MiB |\n' "$name" "$secs" \
    "$(python3 -c "print($size/1048576/$secs)")" $((kb / 1024))
}
echo "| run | wall | throughput | peak RSS |"
echo "|---|---|---|---|"
for round in $(seq 1 "$rounds"); do
  dir="$work/local-$round"
  printf '[destination]\nurl = "%s"\n%s\n' "$dir" "$source_toml" >"$work/plan-local.toml"
  measure "cloud-backup archive → local" "$bin" --endpoint "$endpoint" --allow-http archive run "$work/plan-local.toml"
  rm -rf "$dir"
  measure "rclone copyurl → local" env -u AWS_CA_BUNDLE rclone copyurl "$(link)" "$work/rclone-local-$round/file"
  rm -rf "$work/rclone-local-$round"
  bucket="bench-$round-$$"
  curl -s -X PUT "$s3/$bucket" >/dev/null
  printf '[destination]\nurl = "s3://%s/a"\nendpoint = "%s"\nallow_http = true\n%s\n' "$bucket" "$s3" "$source_toml" >"$work/plan-s3.toml"
  measure "cloud-backup archive → S3 (moto)" "$bin" --endpoint "$endpoint" --allow-http archive run "$work/plan-s3.toml"
  measure "rclone copyurl → S3 (moto)" env -u AWS_CA_BUNDLE rclone copyurl "$(link)" \
    ":s3,provider=Other,endpoint='$s3',access_key_id=test,secret_access_key=test,region=us-east-1:$bucket/rclone/file"
done
