import Synchronization

/// A flag one task sets (its cancellation handler) and another thread reads (work running off
/// the cooperative pool: an embedding pass, a prompt render).
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}
