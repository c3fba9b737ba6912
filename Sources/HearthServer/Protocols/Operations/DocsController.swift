import Hummingbird
import NIOCore
import OrderedJSON

/// `GET /openapi.json` and `GET /docs`: the API described, with no key needed (the document says
/// nothing a client could not learn from the errors).
struct DocsController<Context: RequestContext>: Sendable {
    /// The document's text, made once when the router is built.
    let document: String

    func addRoutes(to router: some RouterMethods<Context>) {
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: document)))
        }
        router.get("docs") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: APIDocsPage.html)))
        }
    }
}
