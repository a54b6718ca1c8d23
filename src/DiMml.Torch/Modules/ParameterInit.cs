using TorchSharp;
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

    /// <summary>Initialises every linear and convolution layer inside <paramref name="module"/>, in registration order
    /// (batch norms keep their weight 1, bias 0).</summary>
    public static void All(nn.Module module, Generator generator)
    {
        foreach (var (_, child) in module.named_modules())
        {
            switch (child)
            {
                case Linear linear:
                    Linear(linear, generator);
                    break;
                case Conv2d conv:
                    Conv(conv, generator);
                    break;
            }
        }
    }
}
