import HTTPTypes

/// Development mode: every request looks the file up on disk. Only canonical paths are
/// considered, and (unless unsafe symlinks are allowed) the resolved real path must stay
/// inside the real root, so no request can read outside the roots.
extension StaticFiles {
    func respondAutorefresh(method: HTTPRequest.Method, fields: RequestFields, at requestPath: RequestPath) -> StaticResponse? {
        let url = requestPath.path
        guard RequestPath.isCanonical(url) else { return nil }
        let indexFile = context.configuration.indexFile
        if url.hasSuffix("/"), indexFile == nil { return nil }
        // A prefix without its slash, whose root has an index file: the cached mode's redirect.
        if let indexFile, !url.hasSuffix("/") {
            for (root, prefix) in roots where prefix == url + "/" && safeInfo(root + "/" + indexFile, root: root)?.1 == .regular {
                let last = url.split(separator: "/").last.map(String.init) ?? ""
                return redirect(to: RequestPath.percentEncode(last) + "/", query: requestPath.query)
            }
        }
        for (root, prefix) in roots where url.hasPrefix(prefix) {
            let relative = String(url.dropFirst(prefix.count))
            // collectstatic's metadata is never served, as in the cached mode.
            if DigestIndex.metadataFileNames.contains(relative) { continue }
            let candidate = relative.isEmpty ? root : root + "/" + relative
            switch lookup(candidate: candidate, relative: relative, root: root, url: url, indexFile: indexFile) {
            case .none: continue
            case .file(let file): return file.respond(method: method, fields: fields)
            case .redirect(let location): return redirect(to: location, query: requestPath.query)
            }
        }
        return nil
    }

    private func lookup(candidate: String, relative: String, root: String, url: String, indexFile: String?) -> Entry? {
        if let base = Self.compressedBase(of: candidate), FileSystem.info(base)?.1 == .regular { return nil }
        if let indexFile {
            if url.hasSuffix("/") {
                return file(at: candidate + (candidate.hasSuffix("/") ? "" : "/") + indexFile, root: root, url: url).map { .file($0) }
            }
            if url.hasSuffix("/" + indexFile), safeInfo(candidate, root: root)?.1 == .regular { return .redirect("./") }
            if safeInfo(candidate, root: root)?.1 == .directory {
                guard safeInfo(candidate + "/" + indexFile, root: root)?.1 == .regular else { return nil }
                let last = url.split(separator: "/").last.map(String.init) ?? ""
                return .redirect(RequestPath.percentEncode(last) + "/")
            }
        }
        return file(at: candidate, root: root, url: url).map { .file($0) }
    }

    /// Stats `path` only if it is inside the root once symlinks are resolved (or unsafe
    /// symlinks are allowed).
    private func safeInfo(_ path: String, root: String) -> (FileSnapshot, FileKind)? {
        if !context.configuration.allowUnsafeSymlinks {
            guard let real = FileSystem.realPath(path), let realRoot = FileSystem.realPath(root),
                  LexicalPath.isInside(real, root: realRoot) else { return nil }
        }
        return FileSystem.info(path)
    }

    private func file(at path: String, root: String, url: String) -> StaticFile? {
        guard let (snapshot, kind) = safeInfo(path, root: root), kind == .regular else { return nil }
        var sources = [StaticFile.Source(coding: .identity, path: path, snapshot: snapshot, knownDigest: nil)]
        for (suffix, coding) in ContentCoding.variantSuffixes where !sources.contains(where: { $0.coding == coding }) {
            if let (snap, kind) = safeInfo(path + suffix, root: root), kind == .regular {
                sources.append(.init(coding: coding, path: path + suffix, snapshot: snap, knownDigest: nil))
            }
        }
        let relative = String(path.dropFirst(root.count + 1))
        let immutable = (context.configuration.useManifest && context.manifestNames.hashedNames(root: root).contains(relative))
            || isImmutable(path: path, url: url, regex: immutableRegex())
        return StaticFile(url: url, sources: sources, immutable: immutable, context: context, cached: false)
    }
}
