import Foundation

extension PythonURL {
    /// Django's `FileSystemStorage.url(name)`: `urljoin(base_url, filepath_to_uri(name).lstrip("/"))`.
    package static func storageURL(base: String, name: String) -> String {
        var quoted = quote(name.replacingOccurrences(of: "\\", with: "/"), safe: "/~!*()'")
        while quoted.hasPrefix("/") { quoted.removeFirst() }
        return urljoin(base, quoted)
    }

    /// The end of Django's `ManifestFilesMixin._url`: the storage URL of `hashedName`, the
    /// original name's fragment put back (and the `?#` font hack kept), then unquoted.
    package static func manifestURL(base: String, hashedName: String, originalName: String, fragment: String) -> String {
        var finalURL = storageURL(base: base, name: hashedName)
        let queryFragment = originalName.contains("?#")
        if !fragment.isEmpty || queryFragment {
            var parts = urlsplit(finalURL)
            if !fragment.isEmpty, parts.fragment.isEmpty { parts.fragment = fragment }
            if queryFragment, parts.query.isEmpty { parts.path += "?" }
            finalURL = urlunsplit(parts)
        }
        return unquote(finalURL)
    }
}
