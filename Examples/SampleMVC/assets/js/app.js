// The page's entry module (loaded with #moduleScript). Its import of "./greet.js" resolves to
// /static/js/greet.js, which the page's import map sends to the hashed file.
import { greet } from "./greet.js";

document.getElementById("greeting").textContent = greet("WhiteNoise");
