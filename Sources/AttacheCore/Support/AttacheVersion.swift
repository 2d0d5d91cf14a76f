/// The version attache reports in `--version` and its `User-Agent`.
public enum AttacheVersion {
    public static let current = "0.1.0"
}
