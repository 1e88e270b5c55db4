#if Vapor
import Vapor

/// The catalogue: a list and a page per product.
struct ProductsController: RouteCollection {
    let store: ProductStore

    func boot(routes: any RoutesBuilder) throws {
        let products = routes.grouped("products")
        products.get(use: list)
        products.get(":id", use: show)
    }

    struct ListContext: Encodable {
        var title: String
        var products: [Product]
    }

    struct ShowContext: Encodable {
        var title: String
        var product: Product
    }

    func list(req: Request) async throws -> View {
        try await req.view.render("products", ListContext(title: "All products", products: store.all))
    }

    func show(req: Request) async throws -> View {
        guard let id = req.parameters.get("id", as: Int.self), let product = store.find(id) else { throw Abort(.notFound) }
        return try await req.view.render("product", ShowContext(title: product.name, product: product))
    }
}
#endif
