/* OpenSSL's gost engine signing and verifying with GOST R 34.10-2012 512-bit paramSetA and
 * Streebog-512 (EVP_DigestSign / EVP_DigestVerify), for bench/gost_compare.sh.
 *
 * gost_openssl_rate [seconds] [message bytes] prints `sign/s N` and `verify/s N`. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/engine.h>
#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void fail(const char *what) {
    fprintf(stderr, "gost_openssl_rate: %s failed\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

static int sign_once(ENGINE *e, const EVP_MD *md, EVP_PKEY *key, const unsigned char *msg,
                     size_t len, unsigned char *sig, size_t *sig_len) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestSignInit(ctx, NULL, md, e, key) == 1 &&
             EVP_DigestSign(ctx, sig, sig_len, msg, len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

static int verify_once(ENGINE *e, const EVP_MD *md, EVP_PKEY *key, const unsigned char *msg,
                       size_t len, const unsigned char *sig, size_t sig_len) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, e, key) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_len, msg, len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 3.0;
    size_t len = argc > 2 ? (size_t)atol(argv[2]) : 32;
    unsigned char *msg = malloc(len ? len : 1);
    memset(msg, 0x5a, len);

    ENGINE_load_builtin_engines();
    ENGINE *e = ENGINE_by_id("gost");
    if (!e || !ENGINE_init(e) || !ENGINE_set_default(e, ENGINE_METHOD_ALL))
        fail("loading the gost engine");
    const EVP_MD *md = ENGINE_get_digest(e, NID_id_GostR3411_2012_512);
    if (!md) fail("Streebog-512 from the engine");

    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(NID_id_GostR3410_2012_512, e);
    EVP_PKEY *key = NULL;
    if (!kctx || EVP_PKEY_keygen_init(kctx) != 1 ||
        EVP_PKEY_CTX_ctrl_str(kctx, "paramset", "A") != 1 || EVP_PKEY_keygen(kctx, &key) != 1)
        fail("paramSetA key generation");
    EVP_PKEY_CTX_free(kctx);

    unsigned char sig[256];
    size_t sig_len = sizeof sig;
    if (!sign_once(e, md, key, msg, len, sig, &sig_len)) fail("signing");
    if (sig_len != 128 || !verify_once(e, md, key, msg, len, sig, sig_len)) fail("verifying");

    unsigned long count = 0;
    double start = now(), elapsed;
    do {
        size_t l = sizeof sig;
        if (!sign_once(e, md, key, msg, len, sig, &l)) fail("signing");
        count++;
    } while ((elapsed = now() - start) < seconds);
    printf("sign/s %.1f\n", count / elapsed);

    count = 0;
    start = now();
    do {
        if (!verify_once(e, md, key, msg, len, sig, sig_len)) fail("verifying");
        count++;
    } while ((elapsed = now() - start) < seconds);
    printf("verify/s %.1f\n", count / elapsed);

    EVP_PKEY_free(key);
    ENGINE_finish(e);
    ENGINE_free(e);
    free(msg);
    return 0;
}
