import NIOPosix

extension NIOThreadPool {
    /// Threads for librdkafka's one-off blocking calls (metadata, commit, flush, watermarks...).
    ///
    /// Separate from `NIOThreadPool.singleton` so that a call waiting out a broker timeout never delays file I/O
    /// elsewhere in the process; every call it runs is bounded by a timeout.
    static let kafka: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 4)
        pool.start()
        return pool
    }()
}
