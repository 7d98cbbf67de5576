#!/usr/bin/env bash
# Qoltanba TEST PKI generator.
#
# Builds a throw-away two-level RSA PKI that mirrors the NCA RK certificate
# profile (root -> intermediate -> AUTH/SIGN end-entity certificates), packs
# the end-entity keys into PKCS#12 keystores in both the OpenSSL 3 default
# encoding and the legacy (3DES/RC2/SHA-1) encoding, and issues a CRL.
#
# TEST ONLY: every private key produced here is public. Never trust these CAs.
#
# Usage:  bash certs-test/generate.sh        (from any directory; `make certs`)
# Needs:  bash, openssl >= 3.0 (legacy provider for the *_legacy.p12 files), coreutils.
# Output: certs-test/ca/ and certs-test/keystores/ are wiped and regenerated.
set -euo pipefail

START_SECONDS=$SECONDS
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
CONF="$HERE/conf"
CA_OUT="$HERE/ca"
KS_OUT="$HERE/keystores"
PASS='Qwerty12'

command -v openssl >/dev/null || { echo "generate.sh: openssl not found" >&2; exit 1; }
case "$(openssl version)" in
  "OpenSSL 3."*) ;;
  *) echo "generate.sh: need OpenSSL 3.x, found: $(openssl version)" >&2; exit 1 ;;
esac
# The legacy provider is needed for RC2-40 in the *_legacy.p12 files.
if ! openssl list -provider legacy -providers >/dev/null 2>&1; then
  echo "generate.sh: OpenSSL legacy provider not available (needed for -legacy PKCS#12)" >&2
  exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/qoltanba-pki.XXXXXX")
trap 'rm -rf -- "$WORK"' EXIT

# Run a command quietly; show its output only if it fails.
run() {
  if ! "$@" >"$WORK/last.log" 2>&1; then
    echo "generate.sh: command failed: $*" >&2
    cat "$WORK/last.log" >&2
    exit 1
  fi
}

# Dates as accepted by `openssl ca -startdate/-enddate` (GeneralizedTime input).
# All relative dates derive from one generation instant, so every "now" leaf
# has exactly the same notBefore/notAfter.
NOW=$(date -u +%Y%m%d%H%M%SZ)
plus_years() { # plus_years <YYYYMMDDHHMMSSZ> <n>  (Feb 29 -> Feb 28; POSIX date only)
  local y=$((10#${1:0:4} + $2)) rest=${1:4}
  [[ ${rest:0:4} == 0229 ]] && rest=0228${rest:4}
  printf "%04d%s" "$y" "$rest"
}
NOW_PLUS_10Y=$(plus_years "$NOW" 10)
NOW_PLUS_20Y=$(plus_years "$NOW" 20)
# CA certificates are back-dated to 2014-01-01 so that the chain also covers the
# validity window of expired_sign (2015..2016): `openssl verify -attime` at a
# 2015 date then succeeds, i.e. the only defect of that leaf is its expiry.
CA_START='20140101000000Z'

# ------------------------------------------------------------------ fresh state
rm -rf -- "$CA_OUT" "$KS_OUT"
mkdir -p "$CA_OUT/private" "$KS_OUT"
chmod 700 "$CA_OUT/private"
for db in root intermediate; do
  mkdir -p "$WORK/$db/newcerts"
  : >"$WORK/$db/index.txt"
  echo 'unique_subject = no' >"$WORK/$db/index.txt.attr"
  echo 1000 >"$WORK/$db/crlnumber"
done
export QOLTANBA_PKI_DB="$WORK" QOLTANBA_PKI_CA="$CA_OUT"

newkey() { # newkey <rsa2048|rsa4096|ec256> <out>
  case "$1" in
    rsa2048) run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$2" ;;
    rsa4096) run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out "$2" ;;
    ec256)   run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 \
                 -pkeyopt ec_param_enc:named_curve -out "$2" ;;
    *) echo "newkey: unknown key type $1" >&2; exit 1 ;;
  esac
}

csr() { # csr <key> <subject> <out>
  run openssl req -new -utf8 -config "$CONF/req.cnf" -key "$1" -subj "$2" -out "$3"
}

# ------------------------------------------------------------------ root CA
newkey rsa4096 "$CA_OUT/private/root.key"
csr "$CA_OUT/private/root.key" '/C=KZ/CN=ТЕСТОВЫЙ КОРНЕВОЙ УЦ (Qoltanba test root)' "$WORK/root.csr"
run openssl ca -batch -config "$CONF/ca.cnf" -name root_ca -selfsign \
    -keyfile "$CA_OUT/private/root.key" -extensions ext_root \
    -startdate "$CA_START" -enddate "$NOW_PLUS_20Y" \
    -utf8 -preserveDN -notext -in "$WORK/root.csr" -out "$CA_OUT/root.pem"
run openssl x509 -in "$CA_OUT/root.pem" -outform DER -out "$CA_OUT/root.der"

# ------------------------------------------------------------------ intermediate CA
newkey rsa2048 "$CA_OUT/private/intermediate.key"
csr "$CA_OUT/private/intermediate.key" '/C=KZ/CN=ТЕСТОВЫЙ НУЦ РК (Qoltanba test)' "$WORK/intermediate.csr"
run openssl ca -batch -config "$CONF/ca.cnf" -name root_ca -extensions ext_intermediate \
    -startdate "$CA_START" -enddate "$NOW_PLUS_20Y" \
    -utf8 -preserveDN -notext -in "$WORK/intermediate.csr" -out "$CA_OUT/intermediate.pem"
run openssl x509 -in "$CA_OUT/intermediate.pem" -outform DER -out "$CA_OUT/intermediate.der"
cat "$CA_OUT/intermediate.pem" "$CA_OUT/root.pem" >"$CA_OUT/chain.pem"

# ------------------------------------------------------------------ end entities
KEYSTORES=()

# issue <name> <rsa2048|ec256> <profile> <subject> [<startdate> <enddate>]
issue() {
  local name=$1 keytype=$2 profile=$3 subject=$4
  local start=${5:-$NOW} end=${6:-$NOW_PLUS_10Y}
  local key="$WORK/$name.key" cer="$KS_OUT/$name.cer"

  newkey "$keytype" "$key"
  csr "$key" "$subject" "$WORK/$name.csr"
  run openssl ca -batch -config "$CONF/ca.cnf" -name intermediate_ca \
      -extensions "ext_$profile" -startdate "$start" -enddate "$end" \
      -utf8 -preserveDN -notext -in "$WORK/$name.csr" -out "$cer"

  # friendlyName = SubjectKeyIdentifier, lowercase hex without colons (as NCA does).
  local ski
  ski=$(openssl x509 -in "$cer" -noout -ext subjectKeyIdentifier \
        | sed -n '2{s/[[:space:]:]//g;p}' | tr 'A-F' 'a-f')
  [[ $ski =~ ^[0-9a-f]{40}$ ]] || { echo "issue: bad SKI for $name: '$ski'" >&2; exit 1; }

  # Modern: OpenSSL 3 defaults (PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC, SHA-256 MAC), leaf + intermediate.
  run openssl pkcs12 -export -inkey "$key" -in "$cer" -certfile "$CA_OUT/intermediate.pem" \
      -name "$ski" -passout "pass:$PASS" -out "$KS_OUT/$name.p12"
  # Legacy: 3DES key bag, RC2-40 cert bag, SHA-1 MAC; leaf only.
  run openssl pkcs12 -export -legacy -inkey "$key" -in "$cer" \
      -name "$ski" -passout "pass:$PASS" -out "$KS_OUT/${name}_legacy.p12"
  KEYSTORES+=("$name")
}

IND='/CN=ТЕСТОВ ТЕСТ/SN=ТЕСТОВ/serialNumber=IIN123456789011/C=KZ/GN=ТЕСТОВИЧ/emailAddress=test@example.kz'
CEO='/CN=ДИРЕКТОРОВ ДИРЕКТОР/SN=ДИРЕКТОРОВ/serialNumber=IIN123456789022/C=KZ/O=ТОО "Тестовая организация"/OU=BIN123456789021/GN=ДИРЕКТОРОВИЧ/emailAddress=ceo@example.kz'

issue individual_auth    rsa2048 individual_auth "$IND"
issue individual_sign    rsa2048 individual_sign "$IND"
issue legal_ceo_auth     rsa2048 legal_ceo_auth  "$CEO"
issue legal_ceo_sign     rsa2048 legal_ceo_sign  "$CEO"
issue expired_sign       rsa2048 individual_sign \
  '/CN=ИСТЕКШИЙ ТЕСТ/SN=ИСТЕКШИЙ/serialNumber=IIN123456789033/C=KZ/GN=ТЕСТОВИЧ/emailAddress=expired@example.kz' \
  20150101000000Z 20160101000000Z
issue not_yet_valid_sign rsa2048 individual_sign \
  '/CN=БУДУЩИЙ ТЕСТ/SN=БУДУЩИЙ/serialNumber=IIN123456789044/C=KZ/GN=ТЕСТОВИЧ/emailAddress=future@example.kz' \
  20400101000000Z 20500101000000Z
issue revoked_auth       rsa2048 individual_auth \
  '/CN=ОТОЗВАННЫЙ ТЕСТ/SN=ОТОЗВАННЫЙ/serialNumber=IIN123456789055/C=KZ/GN=ТЕСТОВИЧ/emailAddress=revoked@example.kz'
issue ec_p256_auth       ec256   individual_auth \
  '/CN=ЭЛЛИПТИЧЕСКИЙ ТЕСТ/SN=ЭЛЛИПТИЧЕСКИЙ/serialNumber=IIN123456789066/C=KZ/GN=ТЕСТОВИЧ/emailAddress=ec@example.kz'
issue no_iin_sign        rsa2048 infosys_sign \
  '/CN=TEST INFORMATION SYSTEM/C=KZ/O=ТОО "Тестовая информационная система"/OU=BIN123456789099/emailAddress=is@example.kz'

# ------------------------------------------------------------------ revocation + CRLs
run openssl ca -batch -config "$CONF/ca.cnf" -name intermediate_ca \
    -revoke "$KS_OUT/revoked_auth.cer" -crl_reason keyCompromise
run openssl ca -batch -config "$CONF/ca.cnf" -name intermediate_ca -gencrl \
    -out "$CA_OUT/intermediate.crl.pem"
run openssl crl -in "$CA_OUT/intermediate.crl.pem" -outform DER -out "$CA_OUT/intermediate.crl"
# Root CRL (empty) so that `openssl verify -crl_check_all` can check the whole chain.
run openssl ca -batch -config "$CONF/ca.cnf" -name root_ca -gencrl -out "$CA_OUT/root.crl.pem"
run openssl crl -in "$CA_OUT/root.crl.pem" -outform DER -out "$CA_OUT/root.crl"
cat "$CA_OUT/intermediate.crl.pem" "$CA_OUT/root.crl.pem" >"$CA_OUT/crls.pem"

# ------------------------------------------------------------------ TSA and OCSP responder
# Their keys are committed: the tests start `openssl ts -reply` and `openssl ocsp` with them.
for svc in tsa:ext_tsa:'/C=KZ/O=Qoltanba test/CN=TEST TSA (Qoltanba test)' \
           ocsp:ext_ocsp:'/C=KZ/O=Qoltanba test/CN=TEST OCSP RESPONDER (Qoltanba test)'; do
  IFS=: read -r name ext subject <<<"$svc"
  newkey rsa2048 "$CA_OUT/private/$name.key"
  csr "$CA_OUT/private/$name.key" "$subject" "$WORK/$name.csr"
  run openssl ca -batch -config "$CONF/ca.cnf" -name intermediate_ca -extensions "$ext" \
      -startdate "$CA_START" -enddate "$NOW_PLUS_20Y" \
      -utf8 -preserveDN -notext -in "$WORK/$name.csr" -out "$CA_OUT/$name.pem"
done
# The intermediate's issuance database: `openssl ocsp -index` answers from it.
cp "$WORK/intermediate/index.txt" "$CA_OUT/intermediate.index.txt"

REVOKED_SERIAL=$(openssl x509 -in "$KS_OUT/revoked_auth.cer" -noout -serial | cut -d= -f2)

# ------------------------------------------------------------------ broken keystores
src="$KS_OUT/individual_auth.p12"
size=$(wc -c <"$src")
head -c $((size / 2)) "$src" >"$KS_OUT/truncated.p12"
cp "$KS_OUT/individual_auth.cer" "$KS_OUT/not_a_keystore.p12"
: >"$KS_OUT/empty.p12"
chmod 644 "$KS_OUT"/*

# Sanity: the valid leafs chain to the root.
for n in individual_auth individual_sign legal_ceo_auth legal_ceo_sign no_iin_sign; do
  run openssl verify -CAfile "$CA_OUT/root.pem" -untrusted "$CA_OUT/intermediate.pem" "$KS_OUT/$n.cer"
done

echo "certs-test: ${#KEYSTORES[@]} keystores x2 (modern+legacy) + 3 broken in keystores/, root/intermediate/CRLs in ca/, password $PASS, revoked serial $REVOKED_SERIAL, $((SECONDS - START_SECONDS))s"
