#if !Hummingbird
// The package was resolved without its `Hummingbird` trait, so this module has no
// Hummingbird code and depends on nothing. Its entry points stay declared, unavailable, so
// that a use of them says what to change instead of "cannot find in scope".

/// Unavailable: the `Hummingbird` trait of whitenoise-swift is off.
@available(*, unavailable, message: "WhiteNoiseHummingbird needs the package trait 'Hummingbird': .package(url: ..., traits: [\"Hummingbird\"])")
public struct WhiteNoiseMiddleware<Context> {}

/// Unavailable: the `Hummingbird` trait of whitenoise-swift is off.
@available(*, unavailable, message: "WhiteNoiseHummingbird needs the package trait 'Hummingbird': .package(url: ..., traits: [\"Hummingbird\"])")
public struct WhiteNoiseConfigurator<Context> {}

/// Unavailable: the `Hummingbird` trait of whitenoise-swift is off.
@available(*, unavailable, message: "WhiteNoiseHummingbird needs the package trait 'Hummingbird': .package(url: ..., traits: [\"Hummingbird\"])")
public struct WhiteNoiseRequestContext {}
#endif
