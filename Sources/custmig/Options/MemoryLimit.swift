#if canImport(Glibc)
    import Glibc
#endif

/// The process's fit to an address-space limit (`ulimit -v`, as some shared hosts and batch systems set).
///
/// glibc gives each thread that allocates under contention a malloc arena of its own, and reserves
/// 64 MB of address space for each; stages run on tasks that move between threads, so up to 8 arenas
/// per core can be made. The memory used is the same (a 1M-record map peaks at the same resident size),
/// but under a 500 MB address-space limit the reservations alone failed a map. Under such a limit the
/// arenas are capped at two; without one they are left to glibc (two arenas cost a map ~10-30%).
enum MemoryLimit {
    static func fitArenas() {
        #if canImport(Glibc)
            var limit = rlimit()
            guard getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max,
                // mallopt is glibc's, declared in <malloc.h>, which Swift's Glibc module does not import.
                let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt")
            else { return }
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let arenaMax: Int32 = -8  // M_ARENA_MAX
            _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMax, 2)
        #endif
    }
}
