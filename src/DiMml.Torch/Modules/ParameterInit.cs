using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Modules;

/// <summary>
/// Re-initialises parameters from an explicit generator, so that a seed fixes the weights without
/// touching libtorch's process-wide generator (two trainings on two threads stay independent).
/// </summary>
internal static class ParameterInit
{
    /// <summary>PyTorch's default <c>nn.Linear</c> init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias.</summary>
    public static void Linear(Linear layer, Generator generator)
    {
        using var _ = no_grad();
        var bound = 1.0 / Math.Sqrt(layer.weight!.shape[1]);
        layer.weight.uniform_(-bound, bound, generator);
        layer.bias?.uniform_(-bound, bound, generator);
    }

    /// <summary>torchvision's ResNet init: Kaiming normal with fan-out and ReLU gain, N(0, 2 / (out · k · k)).</summary>
    public static void Conv(Conv2d layer, Generator generator)
    {
        using var _ = no_grad();
        var shape = layer.weight!.shape;
        layer.weight.normal_(0, Math.Sqrt(2.0 / (shape[0] * shape[2] * shape[3])), generator);
        layer.bias?.zero_();
    }

    /// <summary>The DI-MML authors' fusion-head init: Xavier-normal weight, N(0, 2 / (fan_in + fan_out)), and zero bias.</summary>
    public static void XavierLinear(Linear layer, Generator generator)
    {
        using var _ = no_grad();
        var shape = layer.weight!.shape;
        layer.weight.normal_(0, Math.Sqrt(2.0 / (shape[0] + shape[1])), generator);
        layer.bias?.zero_();
    }

    /// <summary>The authors' ResNet batch-norm init: scale N(1, 0.02), shift 0.</summary>
    public static void Norm(BatchNorm layer, Generator generator)
    {
        using var _ = no_grad();
        layer.weight?.normal_(1, 0.02, generator);
        layer.bias?.zero_();
    }

    /// <summary>Initialises every linear, convolution and batch-norm layer inside <paramref name="module"/>, in registration
    /// order, as the DI-MML authors' code does: linear layers of a <see cref="FusionHead"/> Xavier-normal with zero bias,
    /// other linear layers PyTorch's default, convolutions Kaiming (fan-out), batch norms N(1, 0.02).</summary>
    public static void All(nn.Module module, Generator generator)
    {
        var fusionLayers = module.named_modules().Select(m => m.module).Prepend(module).OfType<FusionHead>()
            .SelectMany(head => head.named_modules().Select(m => m.module).OfType<Linear>())
            .ToHashSet();
        foreach (var (_, child) in module.named_modules())
        {
            switch (child)
            {
                case Linear linear when fusionLayers.Contains(linear):
                    XavierLinear(linear, generator);
                    break;
                case Linear linear:
                    Linear(linear, generator);
                    break;
                case Conv2d conv:
                    Conv(conv, generator);
                    break;
                case BatchNorm norm:
                    Norm(norm, generator);
                    break;
            }
        }
    }
}
