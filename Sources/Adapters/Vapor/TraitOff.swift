#if !Vapor
// The package was resolved without its `Vapor` trait, so this module has no Vapor code and
// depends on nothing. Its entry points stay declared, unavailable, so that a use of them
// says what to change instead of "cannot find in scope".

/// Unavailable: the `Vapor` trait of whitenoise-swift is off.
@available(*, unavailable, message: "WhiteNoiseVapor needs the package trait 'Vapor': .package(url: ..., traits: [\"Vapor\"])")
public struct WhiteNoiseMiddleware {}

/// Unavailable: the `Vapor` trait of whitenoise-swift is off.
@available(*, unavailable, message: "WhiteNoiseVapor needs the package trait 'Vapor': .package(url: ..., traits: [\"Vapor\"])")
public struct WhiteNoiseConfigurator {}

/// Unavailable: the `Vapor` trait of whitenoise-swift is off.
@available(*, unavailable, message: "WhiteNoiseVapor needs the package trait 'Vapor': .package(url: ..., traits: [\"Vapor\"])")
public struct StaticTag {}

/// Unavailable: the `Vapor` trait of whitenoise-swift is off.
@available(*, unavailable, message: "WhiteNoiseVapor needs the package trait 'Vapor': .package(url: ..., traits: [\"Vapor\"])")
public struct IntegrityTag {}

/// Unavailable: the `Vapor` trait of whitenoise-swift is off.
@available(*, unavailable, message: "WhiteNoiseVapor needs the package trait 'Vapor': .package(url: ..., traits: [\"Vapor\"])")
public struct StaticElementTag {}

/// Unavailable: the `Vapor` trait of whitenoise-swift is off.
@available(*, unavailable, message: "WhiteNoiseVapor needs the package trait 'Vapor': .package(url: ..., traits: [\"Vapor\"])")
public struct ImportMapTag {}
#endif
