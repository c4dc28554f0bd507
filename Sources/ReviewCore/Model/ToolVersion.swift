/// The tool's version, as `--version` prints it and every report's manifest records it.
public enum ToolVersion {
    /// The release this source tree is.
    public static let current = "0.24.0"
}
