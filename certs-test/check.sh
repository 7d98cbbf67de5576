#!/usr/bin/env bash
# Qoltanba TEST PKI self-check: verifies with the openssl CLI that the output
# of generate.sh has the promised properties. Exit status 0 = all good.
# Usage: bash certs-test/check.sh [-v]     (-v also prints the certificate texts)
set -euo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
CA="$HERE/ca"
KS="$HERE/keystores"
PASS='Qwerty12'
VERBOSE=${1:-}
FAILS=0
CHECKS=0

ok()   { CHECKS=$((CHECKS + 1)); }
fail() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }
expect() { # expect <description> <command...>   (command must succeed)
  local d=$1; shift
  if "$@" >/dev/null 2>&1; then ok; else fail "$d"; fi
}
expect_not() { # expect_not <description> <command...>   (command must fail)
  local d=$1; shift
  if "$@" >/dev/null 2>&1; then fail "$d"; else ok; fi
}
has() { # has <description> <haystack> <fixed-string>
  if grep -qF -- "$3" <<<"$2"; then ok; else fail "$1: missing '$3'"; fi
}
has_not() {
  if grep -qF -- "$3" <<<"$2"; then fail "$1: unexpected '$3'"; else ok; fi
}

# Every OBJECT IDENTIFIER in a DER file, descending into OCTET STRINGs that hold
# DER (the PKCS#12 AuthenticatedSafe / SafeContents are wrapped that way).
asn1_oids() { # asn1_oids <der-file> <depth> [-strparse N ...]
  local f=$1 depth=$2; shift 2
  local out line off
  out=$(openssl asn1parse -inform DER -in "$f" "$@" 2>/dev/null) || return 0
  grep -o 'OBJECT *:.*' <<<"$out" | sed 's/OBJECT *://' || true
  ((depth >= 4)) && return 0
  while IFS= read -r line; do
    off=${line%%:*}; off=${off// /}
    asn1_oids "$f" $((depth + 1)) "$@" -strparse "$off"
  done < <(grep 'prim: OCTET STRING *\[HEX DUMP\]:30' <<<"$out" || true)
}

ROOT="$CA/root.pem" INT="$CA/intermediate.pem"
NAMES=(individual_auth individual_sign legal_ceo_auth legal_ceo_sign expired_sign
       not_yet_valid_sign revoked_auth ec_p256_auth no_iin_sign)
VALID=(individual_auth individual_sign legal_ceo_auth legal_ceo_sign no_iin_sign ec_p256_auth)

# ------------------------------------------------------------ CA
root_txt=$(openssl x509 -in "$ROOT" -noout -text -nameopt utf8)
has root "$root_txt" 'CN=ТЕСТОВЫЙ КОРНЕВОЙ УЦ (Qoltanba test root)'
has root "$root_txt" 'CA:TRUE'
has root "$root_txt" 'Certificate Sign, CRL Sign'
int_txt=$(openssl x509 -in "$INT" -noout -text -nameopt utf8)
has intermediate "$int_txt" 'CN=ТЕСТОВЫЙ НУЦ РК (Qoltanba test)'
has intermediate "$int_txt" 'CA:TRUE, pathlen:0'
has intermediate "$int_txt" 'URI:http://127.0.0.1/test.crl'
expect "intermediate verifies against root" openssl verify -CAfile "$ROOT" "$INT"
expect "root.der matches root.pem" cmp <(openssl x509 -in "$ROOT" -outform DER) "$CA/root.der"
expect "chain.pem = intermediate + root" cmp "$CA/chain.pem" <(cat "$INT" "$ROOT")
expect "CRL DER/PEM agree" cmp <(openssl crl -in "$CA/intermediate.crl.pem" -outform DER) "$CA/intermediate.crl"
expect "intermediate CRL signed by intermediate" openssl crl -in "$CA/intermediate.crl.pem" -CAfile "$CA/chain.pem" -noout

# ------------------------------------------------------------ keystores
for n in "${NAMES[@]}"; do
  m="$KS/$n.p12" l="$KS/${n}_legacy.p12" c="$KS/$n.cer"
  expect "$n.p12 opens (modern)"  openssl pkcs12 -info -noout -passin "pass:$PASS" -in "$m"
  expect "${n}_legacy.p12 opens with -legacy" openssl pkcs12 -info -noout -legacy -passin "pass:$PASS" -in "$l"
  expect_not "$n.p12 must reject a wrong password" openssl pkcs12 -info -noout -passin pass:wrong -in "$m"

  mo=$(asn1_oids "$m" 0)
  for o in PBES2 PBKDF2 aes-256-cbc hmacWithSHA256 sha256 pkcs8ShroudedKeyBag friendlyName; do has "$n.p12" "$mo" "$o"; done
  has_not "$n.p12" "$mo" pbeWithSHA1
  lo=$(asn1_oids "$l" 0)
  for o in pbeWithSHA1And3-KeyTripleDES-CBC pbeWithSHA1And40BitRC2-CBC sha1 pkcs8ShroudedKeyBag friendlyName; do has "${n}_legacy.p12" "$lo" "$o"; done
  has_not "${n}_legacy.p12" "$lo" PBES2

  # friendlyName == SKI (lowercase hex); modern: leaf + intermediate, legacy: leaf only.
  ski=$(openssl x509 -in "$c" -noout -ext subjectKeyIdentifier | sed -n '2{s/[[:space:]:]//g;p}' | tr 'A-F' 'a-f' || true)
  mi=$(openssl pkcs12 -in "$m" -passin "pass:$PASS" -nokeys -info 2>&1 || true)
  li=$(openssl pkcs12 -in "$l" -passin "pass:$PASS" -nokeys -legacy -info 2>&1 || true)
  has "$n.p12 friendlyName" "$mi" "friendlyName: $ski"
  has "${n}_legacy.p12 friendlyName" "$li" "friendlyName: $ski"
  [[ $(grep -c 'BEGIN CERTIFICATE' <<<"$mi") == 2 ]] && ok || fail "$n.p12 should hold 2 certificates"
  [[ $(grep -c 'BEGIN CERTIFICATE' <<<"$li") == 1 ]] && ok || fail "${n}_legacy.p12 should hold 1 certificate"
  expect "$n.cer is the leaf in $n.p12" cmp <(openssl pkcs12 -in "$m" -passin "pass:$PASS" -nokeys -clcerts | openssl x509) <(openssl x509 -in "$c")
  # Key in the keystore matches the certificate.
  expect "$n key matches cert" cmp \
    <(openssl pkcs12 -in "$m" -passin "pass:$PASS" -nocerts -nodes | openssl pkey -pubout) \
    <(openssl x509 -in "$c" -noout -pubkey)

  t=$(openssl x509 -in "$c" -noout -text -nameopt utf8 || true)
  has "$n" "$t" 'Signature Algorithm: sha256WithRSAEncryption'
  has "$n" "$t" 'Issuer: C=KZ, CN=ТЕСТОВЫЙ НУЦ РК (Qoltanba test)'
  has "$n" "$t" 'X509v3 Authority Key Identifier'
  has "$n" "$t" 'X509v3 Subject Key Identifier'
  [[ $VERBOSE == -v ]] && { echo "===== $n"; echo "$t" | sed -n '/Serial Number/,/Subject Public Key Info/p;/X509v3 extensions/,/Signature Algorithm/p'; }
  case $n in
    *_auth) has "$n" "$t" 'Digital Signature, Key Encipherment'; has "$n" "$t" 'TLS Web Client Authentication' ;;
    *_sign) has "$n" "$t" 'Digital Signature, Non Repudiation'; has "$n" "$t" 'E-mail Protection' ;;
  esac
  case $n in
    legal_ceo_*) has "$n" "$t" '1.2.398.3.3.4.1.2, 1.2.398.3.3.4.1.2.1'
                 has "$n" "$t" 'OU=BIN123456789021'
                 has "$n" "$t" 'O=ТОО "Тестовая организация"' ;;
    no_iin_sign) has "$n" "$t" 'CN=TEST INFORMATION SYSTEM'; has "$n" "$t" 'OU=BIN123456789099'
                 has_not "$n" "$t" 'serialNumber=' ;;
    *)           has "$n" "$t" '1.2.398.3.3.4.1.1' ;;
  esac
  # Cyrillic attributes are UTF8String.
  if [[ $n != no_iin_sign ]]; then
    has "$n subject encoding" "$(openssl asn1parse -in "$c")" 'UTF8STRING'
  fi
done

# Exact profiles / subjects from the spec.
t=$(openssl x509 -in "$KS/individual_auth.cer" -noout -text -nameopt utf8)
has individual_auth "$t" 'Subject: CN=ТЕСТОВ ТЕСТ, SN=ТЕСТОВ, serialNumber=IIN123456789011, C=KZ, GN=ТЕСТОВИЧ, emailAddress=test@example.kz'
has individual_auth "$t" 'Policy: 1.2.398.3.3.2.4'
has individual_sign "$(openssl x509 -in "$KS/individual_sign.cer" -noout -text)" 'Policy: 1.2.398.3.3.2.3'
has legal_ceo_auth "$(openssl x509 -in "$KS/legal_ceo_auth.cer" -noout -text)" 'Policy: 1.2.398.3.3.2.2'
has legal_ceo_sign "$(openssl x509 -in "$KS/legal_ceo_sign.cer" -noout -text)" 'Policy: 1.2.398.3.3.2.1'
has legal_ceo_auth "$(openssl x509 -in "$KS/legal_ceo_auth.cer" -noout -subject -nameopt utf8)" 'serialNumber=IIN123456789022'
has ec_p256_auth "$(openssl x509 -in "$KS/ec_p256_auth.cer" -noout -text)" 'ASN1 OID: prime256v1'
has ec_p256_auth "$(openssl x509 -in "$KS/ec_p256_auth.cer" -noout -text)" 'id-ecPublicKey'

# ------------------------------------------------------------ validity + revocation
for n in "${VALID[@]}"; do
  expect "$n verifies" openssl verify -CAfile "$ROOT" -untrusted "$INT" "$KS/$n.cer"
  expect "$n verifies with CRLs" openssl verify -crl_check_all -CRLfile "$CA/crls.pem" -CAfile "$ROOT" -untrusted "$INT" "$KS/$n.cer"
done
v=$(openssl verify -CAfile "$ROOT" -untrusted "$INT" "$KS/expired_sign.cer" 2>&1 || true)
has expired_sign "$v" 'certificate has expired'
expect "expired_sign valid at 2015-06-01" openssl verify -attime 1433116800 -CAfile "$ROOT" -untrusted "$INT" "$KS/expired_sign.cer"
d=$(openssl x509 -in "$KS/expired_sign.cer" -noout -dates)
has expired_sign "$d" 'notBefore=Jan  1 00:00:00 2015 GMT'; has expired_sign "$d" 'notAfter=Jan  1 00:00:00 2016 GMT'
v=$(openssl verify -CAfile "$ROOT" -untrusted "$INT" "$KS/not_yet_valid_sign.cer" 2>&1 || true)
has not_yet_valid_sign "$v" 'certificate is not yet valid'
d=$(openssl x509 -in "$KS/not_yet_valid_sign.cer" -noout -dates)
has not_yet_valid_sign "$d" 'notBefore=Jan  1 00:00:00 2040 GMT'; has not_yet_valid_sign "$d" 'notAfter=Jan  1 00:00:00 2050 GMT'
expect "revoked_auth chains without CRL" openssl verify -CAfile "$ROOT" -untrusted "$INT" "$KS/revoked_auth.cer"
v=$(openssl verify -crl_check -CRLfile "$CA/intermediate.crl.pem" -CAfile "$ROOT" -untrusted "$INT" "$KS/revoked_auth.cer" 2>&1 || true)
has revoked_auth "$v" 'certificate revoked'
serial=$(openssl x509 -in "$KS/revoked_auth.cer" -noout -serial | cut -d= -f2)
crl=$(openssl crl -in "$CA/intermediate.crl.pem" -noout -text)
has crl "$crl" "Serial Number: $serial"
has crl "$crl" 'Key Compromise'
[[ $(grep -c 'Serial Number:' <<<"$crl") == 1 ]] && ok || fail "intermediate CRL should list exactly one serial"

# ------------------------------------------------------------ broken files
expect "empty.p12 is empty" test ! -s "$KS/empty.p12"
half=$(( $(wc -c <"$KS/individual_auth.p12") / 2 ))
[[ $(wc -c <"$KS/truncated.p12") == "$half" ]] && ok || fail "truncated.p12 should be half of individual_auth.p12"
expect "truncated.p12 is a prefix" cmp -n "$half" "$KS/truncated.p12" "$KS/individual_auth.p12"
for b in truncated not_a_keystore empty; do
  expect_not "$b.p12 must not open" openssl pkcs12 -info -noout -passin "pass:$PASS" -in "$KS/$b.p12"
done
has not_a_keystore "$(head -1 "$KS/not_a_keystore.p12")" '-----BEGIN CERTIFICATE-----'

echo "check.sh: $CHECKS checks, $FAILS failed"
((FAILS == 0))
