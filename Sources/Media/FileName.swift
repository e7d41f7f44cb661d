/// File names made from identifiers a peer chose (a SIP Call-ID): what recordings and
/// received faxes are named after.
public enum FileName {
    /// `text` safe as a file name: anything but ASCII letters, digits, '-', '_' and '.'
    /// becomes '_', and at most 120 characters are kept.
    public static func safe(_ text: String) -> String {
        String(text.unicodeScalars.map { s -> Character in
            (s.properties.isAlphabetic && s.isASCII) || ("0"..."9").contains(s) || s == "-" || s == "_" || s == "." ? Character(s) : "_"
        }.prefix(120))
    }
}
