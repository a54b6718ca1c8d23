using System.Globalization;

namespace DiMml.Video;

/// <summary>What a video column holds: sampled frames or the optical flow between them.</summary>
public enum VideoContent
{
    /// <summary>The sampled frames' pixel values (RGB or grey) in [0, 1].</summary>
    Frames,

    /// <summary>Farneback optical flow (x, y) between consecutive sampled frames, clipped and scaled to [-1, 1].</summary>
    OpticalFlow,
}

/// <summary>
/// How a clip becomes a vector: <see cref="Frames"/> outputs (frames, or flow fields, each from a pair of consecutive
/// sampled frames) of <see cref="Channels"/> planes of <see cref="Height"/> x <see cref="Width"/>, frame after frame and
/// channel-major. Frames are sampled evenly over the clip (the centres of equal segments), or every <see cref="Stride"/>-th
/// frame from the first (the last frame repeated when the clip is too short).
/// </summary>
/// <param name="Content">Frames or optical flow.</param>
/// <param name="Frames">Frames (or flow fields) in the output.</param>
/// <param name="Height">Rows of each plane.</param>
/// <param name="Width">Columns of each plane.</param>
/// <param name="Grey">Frames: one grey plane instead of R, G, B. Ignored for flow (its two planes are x and y).</param>
/// <param name="Stride">Take every Stride-th frame from the first; 0 samples evenly over the clip.</param>
/// <param name="FlowBound">Flow: displacements are clipped to +-FlowBound pixels (at the output size), then divided by it.</param>
public sealed record VideoSpec(VideoContent Content, int Frames, int Height, int Width, bool Grey = false, int Stride = 0,
    double FlowBound = 20)
{
    /// <summary>Planes per output frame: 2 for flow, 1 for grey frames, 3 for RGB.</summary>
    public int Channels => Content == VideoContent.OpticalFlow ? 2 : Grey ? 1 : 3;

    /// <summary>Frames decoded from the clip: one more than the output for flow, which pairs consecutive frames.</summary>
    public int SampledFrames => Content == VideoContent.OpticalFlow ? Frames + 1 : Frames;

    /// <summary>Length of the output vector.</summary>
    public int Size => checked(Frames * Channels * Height * Width);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        static void Require(bool condition, string name, string rule)
        {
            if (!condition)
            {
                throw new ArgumentException($"{name} {rule}.", name);
            }
        }

        Require(Frames is > 0 and <= 256, nameof(Frames), $"is {Frames}; use 1 to 256");
        Require(Height is >= 8 and <= 1024, nameof(Height), $"is {Height}; use 8 to 1024");
        Require(Width is >= 8 and <= 1024, nameof(Width), $"is {Width}; use 8 to 1024");
        Require(Stride >= 0, nameof(Stride), $"is {Stride}; use 0 (evenly spaced) or a positive frame step");
        Require(FlowBound > 0 && double.IsFinite(FlowBound), nameof(FlowBound), $"is {FlowBound}; it must be positive");
        Require((long)Frames * Channels * Height * Width <= VideoDecodeContracts.MaxSize, "Frames x Height x Width",
            $"give {(long)Frames * Channels * Height * Width} values a clip; at most {VideoDecodeContracts.MaxSize} are supported");
    }

    /// <summary>The text the saved pipeline carries to the decoding step (parsed back by <see cref="Parse"/>).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"v1;{Content};{Frames};{Height};{Width};{Grey};{Stride};{FlowBound:R}");

    /// <summary>Reads the text of <see cref="ToString"/>.</summary>
    /// <param name="text">The spec text.</param>
    /// <exception cref="FormatException">Not a spec this version writes.</exception>
    public static VideoSpec Parse(string text)
    {
        var parts = (text ?? "").Split(';');
        if (parts.Length != 8 || parts[0] != "v1")
        {
            throw new FormatException($"'{text}' is not a video spec of this version of DiMml.Video.");
        }

        var culture = CultureInfo.InvariantCulture;
        return new VideoSpec(Enum.Parse<VideoContent>(parts[1]), int.Parse(parts[2], culture), int.Parse(parts[3], culture),
            int.Parse(parts[4], culture), bool.Parse(parts[5]), int.Parse(parts[6], culture), double.Parse(parts[7], culture));
    }
}
