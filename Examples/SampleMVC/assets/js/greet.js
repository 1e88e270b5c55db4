// A JavaScript module imported by app.js.
export function greet(name) {
  return `Hello from ${name}!`;
}
