using System;
using FixedShapeLoss.Samples.Classifier;

// The picture goes beside the output: the working directory, or the folder given as the first argument.
string picture = args.Length > 0
    ? System.IO.Path.Combine(args[0], SoftmaxClassifierSample.PictureFileName)
    : SoftmaxClassifierSample.PictureFileName;
SoftmaxClassifierSample.Run(Console.Out, picture);
