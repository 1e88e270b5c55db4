// The page's entry module (loaded with <script type="module">).
import { greet } from "./greet.js";

document.getElementById("greeting").textContent = greet("WhiteNoise");
