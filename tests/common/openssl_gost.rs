//! OpenSSL's gost engine as an independent GOST 34.10-2015 verifier: KZ keys under TC26 names.

use der::asn1::{BitString, ObjectIdentifier};
use der::{Any, Decode, Encode};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::run;

/// id-tc26-gost3410-12-512: the TC26 name of the key type NCA calls 1.2.398.3.10.1.1.2.2.
pub const TC26_GOST2012_512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.1.1.2");
/// id-tc26-gost-3410-12-512-paramSetA = NCA's 1.2.398.3.10.1.1.2.2.1.
pub const TC26_512_PARAM_SET_A: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.643.7.1.2.1.2.1");

/// True when `openssl` can load the gost engine; under CI its absence is a failure.
pub fn gost_engine_available() -> bool {
    let ok = run("openssl", &["engine", "gost"]).status.success();
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "OpenSSL gost engine missing (apt-get install libengine-gost-openssl)"
        );
        eprintln!(
            "NOTE: OpenSSL gost engine not installed; the independent GOST check did not run"
        );
    }
    ok
}

/// The certificate's key as a TC26 SubjectPublicKeyInfo PEM; the x‖y octets stay as they are
/// (KZ and RFC 4491 both put little-endian coordinates there).
pub fn tc26_public_key_pem(cert_der: &[u8]) -> String {
    let (_, cert) = X509Certificate::from_der(cert_der).expect("certificate parses");
    let key_bits = cert.public_key().subject_public_key.data.to_vec();
    let mut params = der::asn1::SequenceOf::<ObjectIdentifier, 1>::new();
    params.add(TC26_512_PARAM_SET_A).expect("one OID");
    let params_der = params.to_der().expect("DER");
    let spki = SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: TC26_GOST2012_512,
            parameters: Some(Any::from_der(&params_der).expect("parameters")),
        },
        subject_public_key: BitString::from_bytes(&key_bits).expect("bits"),
    };
    let der = spki.to_der().expect("SPKI DER");
    pem_rfc7468::encode_string("PUBLIC KEY", pem_rfc7468::LineEnding::LF, &der).expect("PEM")
}
