using DiMml.Torch.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Modules;

/// <summary>
/// ResNet basic block: <c>relu(bn(conv3x3(relu(bn(conv3x3(x))))) + shortcut(x))</c>; the shortcut is a strided
/// 1x1 convolution with batch norm when the stride or the width changes, the identity otherwise.
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm bn2;
    private readonly Sequential? downsample;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input planes.</param>
    /// <param name="outChannels">Output planes.</param>
    /// <param name="stride">Stride of the first convolution (and of the shortcut).</param>
    public BasicBlock(int inChannels, int outChannels, int stride) : base("basic_block")
    {
        conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(outChannels);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, stride: 1, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(outChannels);
        if (stride != 1 || inChannels != outChannels)
        {
            downsample = nn.Sequential(
                ("0", nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false)),
                ("1", nn.BatchNorm2d(outChannels)));
        }

        RegisterComponents();
    }

    internal (Conv2d Conv, BatchNorm Norm) First => (conv1, bn1);

    internal (Conv2d Conv, BatchNorm Norm) Second => (conv2, bn2);

    internal (Conv2d Conv, BatchNorm Norm)? Shortcut =>
        downsample is null ? null : ((Conv2d)downsample.children().First(), (BatchNorm)downsample.children().Last());

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var output = nn.functional.relu(BatchNormForward.Apply(bn1, NarrowConvolution.Forward(conv1, input)));
        output = BatchNormForward.Apply(bn2, NarrowConvolution.Forward(conv2, output));
        var identity = Shortcut is { } shortcut
            ? BatchNormForward.Apply(shortcut.Norm, NarrowConvolution.Forward(shortcut.Conv, input))
            : input;
        return nn.functional.relu(ScalarMath.Add(output, identity)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv1.Dispose();
            bn1.Dispose();
            conv2.Dispose();
            bn2.Dispose();
            downsample?.Dispose();
        }

        base.Dispose(disposing);
    }
}
