extension Duration {
    /// The duration in seconds, as a floating-point number (for rates and cost estimates).
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
