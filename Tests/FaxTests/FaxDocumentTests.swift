import Fax
import Foundation
import Testing

/// Fax documents checked before any call: pages and width read from the TIFF's directories.
struct FaxDocumentTests {
    static let documents = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Documents")

    @Test func pagesAndWidthAreReadFromTheTIFF() throws {
        let fine = try FaxDocument.pages(of: Self.documents.appendingPathComponent("letter-fine-3.tif").path)
        #expect(fine.count == 3 && fine.width == 1728)
        let standard = try FaxDocument.pages(of: Self.documents.appendingPathComponent("letter-standard-1.tif").path)
        #expect(standard.count == 1 && standard.width == 1728)
    }
}
