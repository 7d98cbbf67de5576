use super::*;

#[test]
#[ignore]
fn explore_byte_orders() {
    use x509_parser::prelude::*;
    let dir = std::path::PathBuf::from("../shared/fixtures/nca");
    let pem = |p: &str| {
        let text = std::fs::read(dir.join(p)).unwrap();
        pem_rfc7468::decode_vec(&text).unwrap().1
    };
    let ca = pem("ca/nca_gost2022_test.crt");
    let ks = crate::keystore::open(&dir.join("keystores/GOST512_individual.p12"), "Qwerty12").unwrap();
    let leaf = ks.entries[0].certificate.der.clone();
    let (_, ca_cert) = X509Certificate::from_der(&ca).unwrap();
    let (_, leaf_cert) = X509Certificate::from_der(&leaf).unwrap();
    let spki = ca_cert.public_key().subject_public_key.data.to_vec();
    let pk = &spki[spki.len() - 128..];
    let sig = leaf_cert.signature_value.data.to_vec();
    let tbs = leaf_cert.tbs_certificate.as_ref();
    let h = streebog512(tbs);
    let rev = |b: &[u8]| b.iter().rev().copied().collect::<Vec<u8>>();
    let swap_halves = |b: &[u8]| [&b[64..], &b[..64]].concat();
    let pks = [("pk le", pk.to_vec()), ("pk be-halves", [rev(&pk[..64]), rev(&pk[64..])].concat())];
    let sigs = [
        ("sig as-is", sig.clone()),
        ("sig rev", rev(&sig)),
        ("sig swap", swap_halves(&sig)),
        ("sig halves-rev", [rev(&sig[..64]), rev(&sig[64..])].concat()),
    ];
    let hs = [("h as-is", h), ("h rev", { let mut x = h; x.reverse(); x })];
    for (pn, p) in &pks {
        let Ok(key) = VerifyingKey::from_kz_bytes(p) else { println!("{pn}: not on curve"); continue };
        println!("{pn}: on curve");
        for (sn, s) in &sigs {
            let Ok(sig) = Signature::from_kz_bytes(s) else { continue };
            for (hn, h) in &hs {
                if key.verify_digest(h, &sig).is_ok() {
                    println!("MATCH {pn} {sn} {hn}");
                }
            }
        }
    }
}
