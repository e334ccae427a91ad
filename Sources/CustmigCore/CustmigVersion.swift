/// custmig's version, recorded with every run (a rerun with another version is not "the same inputs").
public enum CustmigVersion {
    public static let current = "0.1.0"
}
