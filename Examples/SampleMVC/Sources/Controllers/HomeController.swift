#if Vapor
import Vapor

/// The home page.
struct HomeController: RouteCollection {
    let store: ProductStore

    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: index)
    }

    struct HomeContext: Encodable {
        var title: String
        var featured: [Product]
    }

    func index(req: Request) async throws -> View {
        try await req.view.render("index", HomeContext(title: "Tea things", featured: Array(store.all.prefix(2))))
    }
}
#endif
