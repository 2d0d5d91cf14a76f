/// Reads an attachment back once made (`--verify`) and compares its SHA-256 with the file's:
/// attached, but not as sent, it stays for the user to see and the transfer fails saying so.
enum AttachmentVerifier {
    /// The error when the attachment is not the file; `nil` with the digest when it is.
    static func verify(_ info: AttachmentInfo, effects: any UploadEffects, job: UploadJob) async -> Result<String, UploadError> {
        func failure(_ reason: String) -> UploadError {
            UploadError(.verificationFailed, reason: reason, fileName: job.file.name, item: job.item)
        }
        do {
            let file = try await effects.fileSHA256()
            let attached = try await effects.attachmentSHA256(info.id)
            guard file == attached else {
                return .failure(
                    failure("it was attached as \(info.id), but its bytes differ from the file (sha256 \(attached), file \(file)); delete it and upload again"))
            }
            return .success(file)
        } catch {
            return .failure(failure("it was attached as \(info.id), but could not be read back to verify: \(error)"))
        }
    }
}
