package tracker

// fedex12Valid reports whether a 12-digit FedEx Express number's last digit
// matches: the first 11 digits weighted 3, 1, 7, 3, 1, 7, ... from the left,
// the sum modulo 11, then modulo 10.
func fedex12Valid(n string) bool {
	weights := [3]int{3, 1, 7}
	sum := 0
	for i := range 11 {
		sum += int(n[i]-'0') * weights[i%3]
	}
	return byte('0'+sum%11%10) == n[11]
}

// gs1CheckDigit computes the GS1 mod 10 check digit of prefix followed by
// data (all ASCII digits): from the right, digits are weighted 3, 1, 3, ...;
// the check digit brings the sum to a multiple of 10. The prefix lets USPS
// numbers be checked with their implied application identifier.
func gs1CheckDigit(prefix, data string) byte {
	sum, w := 0, 3
	for i := len(data) - 1; i >= 0; i-- {
		sum += int(data[i]-'0') * w
		w = 4 - w
	}
	for i := len(prefix) - 1; i >= 0; i-- {
		sum += int(prefix[i]-'0') * w
		w = 4 - w
	}
	return byte('0' + (10-sum%10)%10)
}

// upsValid reports whether a 1Z number's last character is its check digit:
// the 15 characters after 1Z, a letter counting as its ASCII code minus 3
// modulo 10, weighted 1, 2, 1, 2, ... from the left; 10 minus the sum
// modulo 10.
func upsValid(n string) bool {
	sum := 0
	for i := range 15 {
		c := n[2+i]
		v := int(c - '0')
		if c >= 'A' {
			v = (int(c) - 3) % 10
		}
		if i%2 == 1 {
			v *= 2
		}
		sum += v
	}
	return byte('0'+(10-sum%10)%10) == n[17]
}
