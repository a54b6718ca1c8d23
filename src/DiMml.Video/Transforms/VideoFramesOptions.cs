using DiMml.Video;

namespace DiMml;

/// <summary>Settings of <c>Transforms.VideoFrames</c>: which frames of a clip, at what size, RGB or grey. Defaults: 8 frames
/// evenly spaced over the clip, 112 x 112, RGB.</summary>
public sealed class VideoFramesOptions
{
    /// <summary>Frames per clip. Default 8.</summary>
    public int Frames { get; set; } = 8;

    /// <summary>Rows of each frame. Default 112.</summary>
    public int Height { get; set; } = 112;

    /// <summary>Columns of each frame. Default 112.</summary>
    public int Width { get; set; } = 112;

    /// <summary>One grey channel instead of R, G, B. Default false.</summary>
    public bool Grey { get; set; }

    /// <summary>0 (default) samples frames evenly over the clip; a positive value takes every Stride-th frame from the first.
    /// </summary>
    public int Stride { get; set; }

    /// <summary>At Fit, files that cannot be read are an error naming the first (default); true logs their count and lets
    /// their rows through as NaN (set the trainer's DropRowsWithNonFiniteFeatures to skip them).</summary>
    public bool SkipInvalidFiles { get; set; }

    /// <summary>The modality shape to declare for the output column (channels, frames, height, width).</summary>
    public ModalityShape Shape => new(Spec().Channels, Frames, Height, Width);

    internal VideoSpec Spec() => new(VideoContent.Frames, Frames, Height, Width, Grey, Stride);
}
