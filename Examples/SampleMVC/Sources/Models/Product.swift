#if Vapor
import Vapor

/// The model: a product in the shop's catalogue.
struct Product: Content, Sendable {
    var id: Int
    var name: String
    var summary: String
    /// The price as shown, e.g. `29.50`.
    var price: String
    /// The name of its picture among the static files, e.g. `img/kettle.svg`.
    var picture: String
}

/// The catalogue, in memory: the sample has no database.
struct ProductStore: Sendable {
    let all: [Product] = [
        Product(id: 1, name: "Kettle", summary: "Boils water, quietly.", price: "29.50", picture: "img/kettle.svg"),
        Product(id: 2, name: "Teapot", summary: "Holds six cups.", price: "19.00", picture: "img/teapot.svg"),
        Product(id: 3, name: "Mug", summary: "Keeps tea warm a little longer.", price: "7.25", picture: "img/mug.svg"),
    ]

    func find(_ id: Int) -> Product? { all.first { $0.id == id } }
}
#endif
