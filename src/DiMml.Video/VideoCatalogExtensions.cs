using DiMml;

namespace Microsoft.ML;

/// <summary>Catalog extensions of DiMml.Video, in the <c>Microsoft.ML</c> namespace as ML.NET's own packages put theirs:
/// <c>mlContext.Transforms.VideoFrames(...)</c> and <c>mlContext.Transforms.OpticalFlow(...)</c>.</summary>
public static class VideoCatalogExtensions
{
    /// <summary>Video file paths to T sampled frames, resized, RGB or grey in [0, 1], frame after frame and channel-major (see
    /// <see cref="VideoEstimator"/>; declare the modality's Shape as <see cref="VideoFramesOptions.Shape"/>).</summary>
    /// <param name="catalog">The transforms catalog of an <see cref="MLContext"/>.</param>
    /// <param name="outputColumnName">The frames column (also <c>{output}.Error</c> with decoding errors).</param>
    /// <param name="inputColumnName">The column of video paths.</param>
    /// <param name="options">Which frames, what size; null for the defaults (8 frames evenly spaced, 112 x 112, RGB).</param>
    public static VideoEstimator VideoFrames(this TransformsCatalog catalog, string outputColumnName, string inputColumnName,
        VideoFramesOptions? options = null)
    {
        options ??= new VideoFramesOptions();
        return new(MLNetEnvironment.Of(catalog), outputColumnName, inputColumnName, options.Spec(), options.SkipInvalidFiles);
    }

    /// <summary>Video file paths to Farneback optical flow between consecutive sampled frames, 2 channels (x, y) per pair,
    /// clipped and scaled to [-1, 1], in the frames' layout (see <see cref="VideoEstimator"/>; declare the modality's Shape as
    /// <see cref="OpticalFlowOptions.Shape"/>).</summary>
    /// <param name="catalog">The transforms catalog of an <see cref="MLContext"/>.</param>
    /// <param name="outputColumnName">The flow column (also <c>{output}.Error</c> with decoding errors).</param>
    /// <param name="inputColumnName">The column of video paths.</param>
    /// <param name="options">Which frames, what size, the clipping bound; null for the defaults (8 fields, 112 x 112, +-20 px).
    /// </param>
    public static VideoEstimator OpticalFlow(this TransformsCatalog catalog, string outputColumnName, string inputColumnName,
        OpticalFlowOptions? options = null)
    {
        options ??= new OpticalFlowOptions();
        return new(MLNetEnvironment.Of(catalog), outputColumnName, inputColumnName, options.Spec(), options.SkipInvalidFiles);
    }
}
