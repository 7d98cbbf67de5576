//! Core speed: opening a real NCA keystore, RSA-2048 and GOST-512 sign/verify side by side,
//! CMS of 1 MB, XML of 100 KB.

use std::path::PathBuf;
use std::time::SystemTime;

use aws_lc_rs::signature::{UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qoltanba_core::gost;
use qoltanba_core::keystore;
use qoltanba_core::sign::xml::{sign_enveloped, XmlLayout};
use qoltanba_core::sign::{cms::sign_cms, sign_raw, EntrySigner, SignOptions};

const PASSWORD: &str = "Qwerty12";

fn repo(path: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join(path)
}

/// The real NCA keystore when the fixtures are present, else the legacy-encoded test one.
fn nca_keystore() -> PathBuf {
    let nca = std::env::var_os("QOLTANBA_NCA_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo("../shared/fixtures/nca"))
        .join("keystores/RSA256_11c707bd54cbfcccb3815e39c4eb57b1dc7dfea9.p12");
    if nca.is_file() {
        nca
    } else {
        repo("certs-test/keystores/individual_sign_legacy.p12")
    }
}

fn benches(c: &mut Criterion) {
    let nca = std::fs::read(nca_keystore()).expect("keystore");
    c.bench_function("open NCA keystore", |b| {
        b.iter(|| keystore::open_bytes(&nca, PASSWORD).expect("opens"))
    });

    let store = keystore::open(&repo("certs-test/keystores/individual_sign.p12"), PASSWORD)
        .expect("test keystore");
    let signer = EntrySigner::new(&store.entries[0], SignOptions::default()).expect("signer");

    let challenge = b"32 bytes of a portal's challenge";
    let mut group = c.benchmark_group("signatures");
    group.bench_function("RSA-2048 sign", |b| {
        b.iter(|| sign_raw(&signer, challenge).expect("signs"))
    });
    let rsa_signature = sign_raw(&signer, challenge).expect("signs");
    let rsa_public = UnparsedPublicKey::new(
        &RSA_PKCS1_2048_8192_SHA256,
        store.entries[0].certificate.public_key_bytes().to_vec(),
    );
    group.bench_function("RSA-2048 verify", |b| {
        b.iter(|| {
            rsa_public
                .verify(challenge, &rsa_signature)
                .expect("verifies")
        })
    });

    let gost_key = gost::SigningKey::from_kz_bytes(&[0x5a; gost::SCALAR_LEN]).expect("scalar");
    let gost_public = gost_key.verifying_key();
    group.bench_function("GOST-512 sign", |b| {
        b.iter(|| gost_key.sign(challenge).expect("signs"))
    });
    let gost_signature = gost_key.sign(challenge).expect("signs");
    group.bench_function("GOST-512 verify", |b| {
        b.iter(|| {
            gost_public
                .verify(challenge, &gost_signature)
                .expect("verifies")
        })
    });
    group.finish();

    let megabyte = vec![0x5au8; 1 << 20];
    let mut group = c.benchmark_group("documents");
    group.throughput(Throughput::Bytes(megabyte.len() as u64));
    group.bench_function("CMS attached 1 MB", |b| {
        b.iter(|| sign_cms(&signer, &megabyte, false, SystemTime::now()).expect("signs"))
    });

    let xml = xml_of_about(100 * 1024);
    group.throughput(Throughput::Bytes(xml.len() as u64));
    group.bench_function("XML 100 KB", |b| {
        b.iter(|| sign_enveloped(&xml, &signer, XmlLayout::Compact).expect("signs"))
    });
    group.finish();
}

fn xml_of_about(size: usize) -> String {
    let mut xml =
        String::from(r#"<?xml version="1.0" encoding="UTF-8"?><records xmlns="urn:bench">"#);
    let mut i = 0;
    while xml.len() < size {
        xml.push_str(&format!(
            r#"<record id="{i}"><iin>1234567890{:02}</iin><name>Тестов Тест</name></record>"#,
            i % 100
        ));
        i += 1;
    }
    xml.push_str("</records>");
    xml
}

criterion_group!(signing, benches);
criterion_main!(signing);
