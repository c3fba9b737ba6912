import HTTPTypes
import Hummingbird

/// `GET /` and `GET /ui/{name}`: the chat page. Served without the API key (a browser cannot
/// send one when it opens a page, and the page holds nothing secret); the page itself asks for
/// the key and sends it with its API calls.
struct ChatPageController<Context: RequestContext>: Sendable {
    let page: ChatPage

    func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/") { request, _ in try serve("index.html", request) }
        router.head("/") { request, _ in try serve("index.html", request) }
        router.get("ui/{name}") { request, context in try serve(context.parameters.require("name"), request) }
    }

    private func serve(_ name: String, _ request: Request) throws -> Response {
        guard let asset = page.assets[name] else { throw HTTPError(.notFound, message: "There is no file '\(name)' in the chat page.") }
        var headers: HTTPFields = [
            .contentType: asset.contentType,
            .eTag: asset.etag,
            // Revalidated on every load: a new server version is never hidden behind a stale copy.
            .cacheControl: "no-cache",
            .contentSecurityPolicy: ChatPage.contentSecurityPolicy,
            .xContentTypeOptions: "nosniff",
            Self.referrerPolicy: "no-referrer",
        ]
        if request.headers[.ifNoneMatch] == asset.etag {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
    }

    /// Links the page shows carry no address of it elsewhere.
    private static var referrerPolicy: HTTPField.Name { .init("Referrer-Policy")! }
}
