using System;
using FixedShapeLoss.Samples.Classifier;

SoftmaxClassifierSample.Run(Console.Out);
