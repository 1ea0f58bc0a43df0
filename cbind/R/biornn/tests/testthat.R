library(testthat)
library(biornn)
test_check("biornn")
