namespace DiMml.AspNetCore.Files;

/// <summary>The app cannot run the served model's featurizers (a transform's package is missing): uploads are answered with
/// 501 and this reason, while JSON requests are still served.</summary>
internal sealed class FeaturizersUnavailableException(string reason) : Exception(reason);
