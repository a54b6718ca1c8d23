using DiMml.Video;

namespace DiMml;

/// <summary>Settings of <c>Transforms.OpticalFlow</c>: Farneback flow between consecutive sampled frames (Frames + 1 frames
/// are sampled). Defaults: 8 flow fields, frames evenly spaced over the clip, 112 x 112, displacements clipped to +-20
/// pixels and scaled to [-1, 1].</summary>
public sealed class OpticalFlowOptions
{
    /// <summary>Flow fields per clip (each from a pair of consecutive sampled frames). Default 8.</summary>
    public int Frames { get; set; } = 8;

    /// <summary>Rows of each field (flow is computed at this size). Default 112.</summary>
    public int Height { get; set; } = 112;

    /// <summary>Columns of each field. Default 112.</summary>
    public int Width { get; set; } = 112;

    /// <summary>0 (default) samples frames evenly over the clip; a positive value takes every Stride-th frame from the first.
    /// </summary>
    public int Stride { get; set; }

    /// <summary>Displacements (pixels at the output size) are clipped to +-Bound, then divided by it. Default 20.</summary>
    public double Bound { get; set; } = 20;

    /// <summary>At Fit, files that cannot be read are an error naming the first (default); true lets their rows through as
    /// NaN.</summary>
    public bool SkipInvalidFiles { get; set; }

    /// <summary>The modality shape to declare for the output column (2 channels, x then y).</summary>
    public ModalityShape Shape => new(2, Frames, Height, Width);

    internal VideoSpec Spec() => new(VideoContent.OpticalFlow, Frames, Height, Width, Stride: Stride, FlowBound: Bound);
}
