/*
 * TEST ONLY, never shipped: a stand-in for Windows 10's bcryptprimitives.dll, which Wine 8
 * lacks. Rust's standard library (1.78+) takes its randomness from ProcessPrng there, so no
 * Rust program starts under Wine 8 without it. This one function forwards to RtlGenRandom
 * (advapi32's SystemFunction036), which Wine implements over the host's random source.
 * `make windows` builds it into $(TARGET)/wine/ and copies it into the throwaway Wine prefix
 * the tests use; real Windows has the real DLL.
 */
#include <windows.h>
#include <ntsecapi.h>

/* Fills `data` with `length` random bytes; TRUE on success, as Windows documents it. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        /* RtlGenRandom takes a ULONG: feed it at most 1 GiB at a time. */
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!RtlGenRandom(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
