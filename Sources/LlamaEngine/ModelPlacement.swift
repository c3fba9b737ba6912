/// Where a model's layers live: all on this machine (the default), or some on llama.cpp's RPC
/// workers (`ggml-rpc-server`) on other machines, for a model larger than one machine's memory.
///
/// As llama-server places them: the workers are llama.cpp devices, the first `remoteLayers`
/// layers are shared among them in the proportions of `tensorSplit`, and the rest run here.
/// A layer's KV cache lives where the layer does.
public struct ModelPlacement: Sendable, Equatable {
    /// The workers, in the order layers are given to them.
    public var workers: [RPCEndpoint]
    /// Each worker's share of the remote layers, in the order of ``workers`` (nil: in
    /// proportion to the memory each worker has free, llama.cpp's default).
    public var tensorSplit: [Float]?
    /// Layers placed on the workers (nil: all of them, and the output layer too); the rest
    /// run on this machine's CPU.
    public var remoteLayers: Int?

    public init(workers: [RPCEndpoint] = [], tensorSplit: [Float]? = nil, remoteLayers: Int? = nil) {
        self.workers = workers
        self.tensorSplit = tensorSplit
        self.remoteLayers = remoteLayers
    }

    /// Every layer on this machine.
    public static let local = ModelPlacement()

    /// Whether any layer is placed on a worker.
    public var isRemote: Bool { !workers.isEmpty && remoteLayers != 0 }
}
