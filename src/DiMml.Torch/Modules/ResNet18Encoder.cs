using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Modules;

/// <summary>
/// ResNet-18 from scratch (BasicBlock, 2-2-2-2 blocks, 7x7 stride-2 stem, 3x3 stride-2 max-pool), the paper's
/// encoder for spectrograms, frames and optical flow. Each of the <see cref="ModalityShape.Frames"/> frames goes
/// through the same 2-D network; the last block's post-ReLU maps are averaged over frames, height and width (the
/// paper's 3-D average pooling). Stage widths are D/8, D/4, D/2, D for embedding size D (64…512 for the paper's 512).
/// </summary>
public sealed class ResNet18Encoder : ModalityEncoder
{
    private readonly Conv2d stem;
    private readonly BatchNorm stemNorm;
    private readonly MaxPool2d pool;
    private readonly ModuleList<BasicBlock> blocks;

    /// <summary>Creates the encoder.</summary>
    /// <param name="shape">Layout of the flat input vector.</param>
    /// <param name="embeddingSize">Output size D; a multiple of 8 (the stage widths are D/8 … D).</param>
    /// <param name="name">Module name used in state-dict keys.</param>
    /// <param name="normalization">Per-channel standardisation applied to the input first; null for none.</param>
    public ResNet18Encoder(ModalityShape shape, int embeddingSize, string name = "resnet18", ChannelNormalization? normalization = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(shape);
        shape.Validate();
        normalization?.Validate(shape, name);
        Normalization = normalization;
        if (embeddingSize < 8 || embeddingSize % 8 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(embeddingSize), embeddingSize,
                "A ResNet-18 encoder needs an embedding size that is a multiple of 8 (its stage widths are D/8, D/4, D/2, D); the paper " +
                    "uses 512.");
        }

        Shape = shape;
        EmbeddingSize = embeddingSize;
        var width = embeddingSize / 8;
        stem = nn.Conv2d(shape.Channels, width, 7, stride: 2, padding: 3, bias: false);
        stemNorm = nn.BatchNorm2d(width);
        pool = nn.MaxPool2d(3, stride: 2, padding: 1);
        var stages = new[] { (width, 1), (2 * width, 2), (4 * width, 2), (8 * width, 2) };
        var list = new List<BasicBlock>();
        var inChannels = width;
        foreach (var (channels, stride) in stages)
        {
            list.Add(new BasicBlock(inChannels, channels, stride));
            list.Add(new BasicBlock(channels, channels, 1));
            inChannels = channels;
        }

        blocks = nn.ModuleList(list.ToArray());
        RegisterComponents();
    }

    /// <summary>Layout of the input vector.</summary>
    public ModalityShape Shape { get; }

    /// <summary>Per-channel standardisation applied to the input first, or null.</summary>
    public ChannelNormalization? Normalization { get; }

    /// <inheritdoc />
    public override int EmbeddingSize { get; }

    /// <inheritdoc />
    public override int InputSize => checked((int)Shape.Size);

    internal (Conv2d Conv, BatchNorm Norm) Stem => (stem, stemNorm);

    internal IEnumerable<BasicBlock> Blocks => blocks;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var batch = input.shape[0];
        var x = input.reshape(batch * Shape.Frames, Shape.Channels, Shape.Height, Shape.Width);
        if (Normalization is not null)
        {
            x = Normalization.Apply(x);
        }

        x = stem.forward(x);
        // Activations stay contiguous (NCHW). Channels-last strides (issue 17) made oneDNN's NHWC kernels wrong on an Intel Xeon
        // with AMX: float32 weight gradients 0.4 off float64 at 3x64x64, D = 128, and, under 16 channels, a strided 1x1
        // shortcut whose backward-weights kernel faults at 56x56 maps (224x224 frames). GradientParityTests and
        // ResNetTests.TrainsAtThePapersFrameSize hold both (issue 26).
        x = pool.forward(nn.functional.relu(BatchNormForward.Apply(stemNorm, x)));
        foreach (var block in blocks)
        {
            x = block.forward(x);
        }

        var pooled = x.mean([2L, 3L]).reshape(batch, Shape.Frames, EmbeddingSize).mean([1L]);
        return pooled.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            stem.Dispose();
            stemNorm.Dispose();
            pool.Dispose();
            blocks.Dispose();
        }

        base.Dispose(disposing);
    }
}
