using DiMml;

namespace Microsoft.ML;

/// <summary>Catalog extensions, in the <c>Microsoft.ML</c> namespace as ML.NET's own packages put theirs (so
/// <c>using Microsoft.ML;</c> finds them): <c>mlContext.Transforms.CertaintyWeightedFusion(...)</c> and
/// <c>mlContext.Transforms.AudioSpectrogram(...)</c>; the video methods come with DiMml.Video
/// (<c>VideoCatalogExtensions</c>).</summary>
public static class TransformsCatalogExtensions
{
    /// <summary>Certainty-weighted fusion with full options.</summary>
    /// <param name="catalog">The transforms catalog of an <see cref="MLContext"/>.</param>
    /// <param name="options">Inputs, certainty measure, temperature, output names.</param>
    public static CertaintyWeightedFusionEstimator CertaintyWeightedFusion(this TransformsCatalog catalog,
        CertaintyWeightedFusionEstimator.Options options) =>
        new(MLNetEnvironment.Of(catalog), options);

    /// <summary>Certainty-weighted fusion of two or more probability (or logit) columns with the paper's max-probability
    /// certainty.</summary>
    /// <param name="catalog">The transforms catalog of an <see cref="MLContext"/>.</param>
    /// <param name="inputColumnNames">The score columns to fuse.</param>
    /// <param name="labelColumnName">Optional key-typed label whose values name PredictedLabel's classes.</param>
    /// <param name="temperature">Temperature T of the weights (paper: 1 or 3).</param>
    /// <param name="inputKind">Whether the inputs are probabilities or logits.</param>
    public static CertaintyWeightedFusionEstimator CertaintyWeightedFusion(
        this TransformsCatalog catalog, IEnumerable<string> inputColumnNames, string? labelColumnName = null, double temperature = 1.0,
        ScoreKind inputKind = ScoreKind.Probabilities)
    {
        ArgumentNullException.ThrowIfNull(inputColumnNames);
        var options = new CertaintyWeightedFusionEstimator.Options
        {
            LabelColumnName = labelColumnName,
            CertaintyTemperature = temperature,
            InputKind = inputKind
        };
        foreach (var name in inputColumnNames)
        {
            options.InputColumnNames.Add(name);
        }

        return catalog.CertaintyWeightedFusion(options);
    }

    /// <summary>WAV file paths to a fixed-size log-magnitude spectrogram (see <see cref="AudioSpectrogramEstimator"/>).</summary>
    /// <param name="catalog">The transforms catalog of an <see cref="MLContext"/>.</param>
    /// <param name="outputColumnName">The spectrogram column (also <c>{output}.Error</c> with decoding errors).</param>
    /// <param name="inputColumnName">The column of WAV paths.</param>
    /// <param name="options">Spectrogram settings; null for the defaults (3 s at 16 kHz, 257 x 301).</param>
    public static AudioSpectrogramEstimator AudioSpectrogram(
        this TransformsCatalog catalog, string outputColumnName, string inputColumnName,
            AudioSpectrogramEstimator.Options? options = null) =>
        new(MLNetEnvironment.Of(catalog), outputColumnName, inputColumnName, options ?? new AudioSpectrogramEstimator.Options());
}
