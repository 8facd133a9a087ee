import Dispatch
import Synchronization

/// A bounded buffer from one poll thread to one async reader.
///
/// When it is full, ``push(_:)`` blocks the poll thread, which then stops polling librdkafka: a slow owner slows
/// the fetching instead of piling records up in memory (librdkafka's own prefetch queue is bounded too).
final class BlockingEventBuffer<Element: Sendable>: Sendable {
    private let capacity: Int
    private let state = Mutex(State())
    private let space = DispatchSemaphore(value: 0)

    private struct State: ~Copyable {
        var elements: [Element] = []
        var head = 0
        var reader: CheckedContinuation<Element?, Never>?
        var pusherWaits = false
        var finished = false

        var count: Int { elements.count - head }

        mutating func popFirst() -> Element {
            let element = elements[head]
            head += 1
            if head == elements.count {
                elements.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 {
                elements.removeFirst(head)
                head = 0
            }
            return element
        }
    }

    private enum PushAction {
        case done
        case handOver(CheckedContinuation<Element?, Never>)
        case wait
        case refused
    }

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Appends `element`, blocking the calling thread while the buffer is full. Never call it from async code.
    ///
    /// - Returns: `false` if the buffer is finished and `element` was dropped.
    @discardableResult
    func push(_ element: Element) -> Bool {
        while true {
            let action = state.withLock { state -> PushAction in
                if state.finished { return .refused }
                if let reader = state.reader {
                    state.reader = nil
                    return .handOver(reader)
                }
                if state.count < capacity {
                    state.elements.append(element)
                    return .done
                }
                state.pusherWaits = true
                return .wait
            }
            switch action {
            case .done: return true
            case .refused: return false
            case .handOver(let reader):
                reader.resume(returning: element)
                return true
            case .wait:
                space.wait()
            }
        }
    }

    /// The next element, or `nil` once the buffer is finished or the calling task is cancelled.
    func next() async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                let (element, wakePusher, resumeNow) = state.withLock { state -> (Element?, Bool, Bool) in
                    if state.count > 0 {
                        let wake = state.pusherWaits
                        state.pusherWaits = false
                        return (state.popFirst(), wake, true)
                    }
                    if state.finished || Task.isCancelled { return (nil, false, true) }
                    precondition(state.reader == nil, "a Kafka event sequence has one reader at a time")
                    state.reader = continuation
                    return (nil, false, false)
                }
                if wakePusher { space.signal() }
                if resumeNow { continuation.resume(returning: element) }
            }
        } onCancel: {
            let reader = state.withLock { state in
                defer { state.reader = nil }
                return state.reader
            }
            reader?.resume(returning: nil)
        }
    }

    /// Ends the sequence: drops what is buffered, ends the reader's wait and refuses later pushes.
    func finish() {
        let (reader, wakePusher) = state.withLock { state in
            defer {
                state.finished = true
                state.reader = nil
                state.pusherWaits = false
                state.elements = []
                state.head = 0
            }
            return (state.reader, state.pusherWaits)
        }
        reader?.resume(returning: nil)
        if wakePusher { space.signal() }
    }
}
